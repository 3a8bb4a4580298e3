/**
 * The printed invoice or credit note: A4 portrait pages laid out with pdf-lib from a
 * PrintableDocument (every text already formatted). Runs in the invoice PDF worker thread
 * (invoice-pdf-worker.ts). Long documents continue on further pages, each numbered.
 */
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'
import type { PrintableDocument, PrintedTable } from './invoice-document.ts'

const WIDTH = 595
const HEIGHT = 842
const MARGIN = 48
const INK = rgb(0.13, 0.15, 0.2)
const MUTED = rgb(0.4, 0.42, 0.47)
const RULE = rgb(0.8, 0.82, 0.86)
const SIZE = 9
const LEADING = 13

/**
 * The standard PDF fonts encode WinAnsi (Latin-1 and a few more): other characters become their
 * base letter when one exists ("Łukasz" → "Lukasz", a full-width yen sign → "¥"), else "?".
 */
function printable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet())
  return [...text]
    .map((char) => {
      if (supported.has(char.codePointAt(0) ?? -1)) return char
      const base = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
      return base.length > 0 && [...base].every((c) => supported.has(c.codePointAt(0) ?? -1)) ? base : '?'
    })
    .join('')
}

/** Cut to `width` with an ellipsis. */
function fitted(font: PDFFont, text: string, size: number, width: number): string {
  const clean = printable(font, text)
  if (font.widthOfTextAtSize(clean, size) <= width) return clean
  let cut = clean
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}...`, size) > width) cut = cut.slice(0, -1)
  return `${cut}...`
}

class Pages {
  page!: PDFPage
  y = 0
  count = 0

  constructor(
    private readonly document: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    private readonly title: string,
  ) {
    this.next()
  }

  next(): void {
    this.page = this.document.addPage([WIDTH, HEIGHT])
    this.count += 1
    this.y = HEIGHT - MARGIN
    if (this.count > 1) {
      this.text(`${this.title} (continued)`, MARGIN, { font: this.bold })
      this.y -= LEADING * 1.5
    }
  }

  /** Room for `lines` more lines, else a new page. */
  need(lines: number): void {
    if (this.y - lines * LEADING < MARGIN + LEADING) this.next()
  }

  text(value: string, x: number, options: { font?: PDFFont; size?: number; color?: typeof INK; width?: number } = {}) {
    const font = options.font ?? this.regular
    const size = options.size ?? SIZE
    const shown = fitted(font, value, size, options.width ?? WIDTH - MARGIN - x)
    this.page.drawText(shown, { x, y: this.y, size, font, color: options.color ?? INK })
  }

  right(value: string, rightEdge: number, width: number, font = this.regular) {
    const shown = fitted(font, value, SIZE, width)
    this.page.drawText(shown, {
      x: rightEdge - font.widthOfTextAtSize(shown, SIZE),
      y: this.y,
      size: SIZE,
      font,
      color: INK,
    })
  }

  rule(): void {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y + LEADING - 3 },
      end: { x: WIDTH - MARGIN, y: this.y + LEADING - 3 },
      thickness: 0.5,
      color: RULE,
    })
  }
}

function parties(pages: Pages, doc: PrintableDocument): void {
  const top = pages.y
  pages.text('From', MARGIN, { font: pages.bold, color: MUTED })
  pages.y -= LEADING
  for (const line of doc.seller) {
    pages.text(line, MARGIN, { width: 230 })
    pages.y -= LEADING
  }
  const sellerEnd = pages.y
  pages.y = top
  const x = WIDTH / 2 + 10
  pages.text('Bill to', x, { font: pages.bold, color: MUTED })
  pages.y -= LEADING
  for (const line of doc.buyer) {
    pages.text(line, x)
    pages.y -= LEADING
  }
  pages.y = Math.min(sellerEnd, pages.y) - LEADING
}

function facts(pages: Pages, doc: PrintableDocument): void {
  for (const [label, value] of doc.facts) {
    pages.need(1)
    pages.text(label, MARGIN, { color: MUTED, width: 110 })
    pages.text(value, MARGIN + 120)
    pages.y -= LEADING
  }
  pages.y -= LEADING
}

/** A table: the first column takes what the amount columns leave; headings repeat on a new page. */
function table(pages: Pages, printed: PrintedTable, amountWidth: number): void {
  const amounts = printed.headings.length - 1
  const descriptionWidth = WIDTH - 2 * MARGIN - amounts * amountWidth
  const edge = (column: number) => MARGIN + descriptionWidth + column * amountWidth
  const headings = () => {
    pages.text(printed.headings[0] ?? '', MARGIN, { font: pages.bold, width: descriptionWidth - 6 })
    printed.headings.slice(1).forEach((heading, i) => pages.right(heading, edge(i + 1), amountWidth - 6, pages.bold))
    pages.y -= LEADING
  }
  pages.need(2)
  headings()
  for (const row of printed.rows) {
    if (pages.y - LEADING < MARGIN + LEADING) {
      pages.next()
      headings()
    }
    pages.rule()
    pages.text(row[0] ?? '', MARGIN, { width: descriptionWidth - 6 })
    row.slice(1).forEach((cell, i) => pages.right(cell, edge(i + 1), amountWidth - 6))
    pages.y -= LEADING
  }
  pages.y -= LEADING
}

function totals(pages: Pages, doc: PrintableDocument): void {
  const edge = WIDTH - MARGIN
  doc.totals.forEach(([label, value], i) => {
    const last = i === doc.totals.length - 1
    pages.need(1)
    if (last) pages.rule()
    const font = last ? pages.bold : pages.regular
    pages.right(label, edge - 110, 150, font)
    pages.right(value, edge, 100, font)
    pages.y -= LEADING
  })
  pages.y -= LEADING
}

export async function layoutInvoicePdf(doc: PrintableDocument): Promise<Uint8Array> {
  const document = await PDFDocument.create()
  document.setTitle(doc.title)
  document.setAuthor(doc.author)
  document.setSubject(doc.subject)
  document.setProducer('Lyceum')
  document.setCreator('Lyceum')
  // Dates of issue, not of rendering: the same rows give the same file.
  document.setCreationDate(doc.issuedAt)
  document.setModificationDate(doc.issuedAt)
  const regular = await document.embedFont(StandardFonts.Helvetica)
  const bold = await document.embedFont(StandardFonts.HelveticaBold)
  const pages = new Pages(document, regular, bold, doc.title)

  pages.text(doc.title, MARGIN, { font: bold, size: 18 })
  pages.y -= LEADING * 2.5
  parties(pages, doc)
  facts(pages, doc)
  table(pages, doc.lines, doc.lines.headings.length > 5 ? 58 : 72)
  table(pages, doc.taxes, 90)
  totals(pages, doc)
  for (const note of doc.notes) {
    pages.need(1)
    pages.text(note, MARGIN, { color: MUTED })
    pages.y -= LEADING
  }
  const all = document.getPages()
  all.forEach((page, i) =>
    page.drawText(printable(regular, `${doc.title} - page ${i + 1} of ${all.length}`), {
      x: MARGIN,
      y: MARGIN / 2,
      size: 7,
      font: regular,
      color: MUTED,
    }),
  )
  return document.save({ useObjectStreams: false })
}

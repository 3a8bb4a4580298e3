/**
 * The printable certificate: one landscape A4 page rendered with pdf-lib. The verification URL is
 * both printed and a clickable link, so a reader of the paper or the file can check it. Loaded
 * through certificate-pdf.ts at the first rendering.
 */
import { PDFDocument, PDFName, PDFString, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'
import type { CertificatePdfInput } from './certificate-pdf.ts'

const WIDTH = 842
const HEIGHT = 595
const INK = rgb(0.13, 0.15, 0.2)
const ACCENT = rgb(0.16, 0.33, 0.6)

/**
 * The standard PDF fonts only encode WinAnsi (Latin-1 and a few more): other characters are
 * reduced to their base letter when one exists ("Łukasz" → "Lukasz"), else replaced by "?".
 * The credential and the verification page carry the exact name.
 */
function printable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet())
  return [...text]
    .map((char) => {
      if (supported.has(char.codePointAt(0) ?? -1)) return char
      const base = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
      return [...base].every((c) => supported.has(c.codePointAt(0) ?? -1)) && base.length > 0 ? base : '?'
    })
    .join('')
}

function centred(page: PDFPage, font: PDFFont, text: string, y: number, size: number, color = INK): void {
  let fitted = size
  while (fitted > 8 && font.widthOfTextAtSize(text, fitted) > WIDTH - 120) fitted -= 1
  page.drawText(text, { x: (WIDTH - font.widthOfTextAtSize(text, fitted)) / 2, y, size: fitted, font, color })
}

function addLink(document: PDFDocument, page: PDFPage, url: string, rect: [number, number, number, number]): void {
  const annotation = document.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: rect,
    Border: [0, 0, 0],
    A: { Type: 'Action', S: 'URI', URI: PDFString.of(url) },
  })
  page.node.set(PDFName.of('Annots'), document.context.obj([document.context.register(annotation)]))
}

export async function layoutCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const document = await PDFDocument.create()
  document.setTitle(`Certificate: ${input.courseTitle}`)
  document.setAuthor(input.issuerName)
  document.setSubject(`Verify at ${input.verificationUrl}`)
  document.setCreationDate(input.issuedAt)
  const page = document.addPage([WIDTH, HEIGHT])
  const regular = await document.embedFont(StandardFonts.Helvetica)
  const bold = await document.embedFont(StandardFonts.HelveticaBold)
  page.drawRectangle({ x: 24, y: 24, width: WIDTH - 48, height: HEIGHT - 48, borderColor: ACCENT, borderWidth: 3 })

  centred(page, bold, 'Certificate of Completion', 470, 34, ACCENT)
  centred(page, regular, 'This certifies that', 415, 14)
  centred(page, bold, printable(bold, input.recipientName), 370, 30)
  centred(page, regular, 'has successfully completed the course', 330, 14)
  centred(page, bold, printable(bold, input.courseTitle), 290, 22)
  centred(
    page,
    regular,
    `Issued by ${printable(regular, input.issuerName)} on ${input.issuedAt.toISOString().slice(0, 10)}`,
    230,
    13,
  )

  centred(page, regular, 'Verify this certificate at', 110, 10)
  const urlSize = 10
  const urlWidth = regular.widthOfTextAtSize(input.verificationUrl, urlSize)
  centred(page, regular, input.verificationUrl, 94, urlSize, ACCENT)
  addLink(document, page, input.verificationUrl, [(WIDTH - urlWidth) / 2, 90, (WIDTH + urlWidth) / 2, 106])
  return document.save()
}

/**
 * The task module of the invoice PDF worker thread (platform/workers): lays out one printable
 * invoice or credit note. pdf-lib and its fonts load here, once per thread, not in the process
 * that serves requests.
 */
import type { PrintableDocument } from './invoice-document.ts'
import { layoutInvoicePdf } from './invoice-pdf-layout.ts'

export default function renderInvoicePdf(document: PrintableDocument): Promise<Uint8Array> {
  return layoutInvoicePdf(document)
}

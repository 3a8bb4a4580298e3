/**
 * Invoice and credit note PDFs are rendered on request from the stored rows, in a worker thread
 * (ADR 0009's pools): a rendering costs about 10 ms of CPU on a quiet machine and a client can ask
 * for it as often as the rate limit lets it, so it never runs on the event loop. One thread is
 * enough for documents of a few pages; a full queue is 503 OVERLOADED (the pool's), a rendering
 * past the deadline 503 PDF_UNAVAILABLE, both with Retry-After. The thread starts with the first
 * PDF asked for and ends when the app closes.
 */
import type { Logger } from 'pino'
import type { Metrics } from '../../../platform/observability/metrics.ts'
import { createWorkerPool, WorkerDeadlineExceeded } from '../../../platform/workers/worker-pool.ts'
import type { PrintableDocument } from './invoice-document.ts'
import { invoiceErrors } from './invoices.errors.ts'

const RETRY_AFTER_SECONDS = 2
/** Far above a rendering's cost, so only a wedged thread or a starved machine reaches it. */
const DEADLINE_MS = 15_000

export interface PdfRenderer {
  render(document: PrintableDocument): Promise<Buffer>
  close(): Promise<void>
}

export function createPdfRenderer(deps: { logger: Logger; metrics?: Metrics }): PdfRenderer {
  const pool = createWorkerPool<PrintableDocument, Uint8Array>({
    name: 'invoice_pdf',
    taskModule: new URL('./invoice-pdf-worker.ts', import.meta.url),
    threads: 1,
    maxQueue: 32,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    // Requests that need no PDF come first when the CPU is contended.
    niceIncrement: 10,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
  return {
    async render(document) {
      try {
        return Buffer.from(await pool.run(document, { deadlineMs: DEADLINE_MS }))
      } catch (error) {
        if (error instanceof WorkerDeadlineExceeded) throw invoiceErrors.pdfUnavailable(RETRY_AFTER_SECONDS)
        throw error
      }
    },
    close: () => pool.close(),
  }
}

/**
 * The malware-scanner port. A scan ends in exactly one of three ways, and the types keep them
 * apart so no caller can mistake an outage for a clean file: a verdict (clean or infected), a
 * refusal to scan because the content is over the scanner's size bound (retrying cannot help),
 * or the scanner being unavailable (down, timed out, answering an error: retry later, and keep
 * the file pending meanwhile, never pass it).
 */
import type { Readable } from 'node:stream'

export type ScanVerdict = { verdict: 'clean' } | { verdict: 'infected'; signature: string }

export interface ScanOptions {
  /** Cancels the scan (the connection is closed); the promise rejects with the signal's reason. */
  signal?: AbortSignal
}

export interface Scanner {
  /** Scans a stream (read to its end) or the file at a path. */
  scan(input: Readable | string, options?: ScanOptions): Promise<ScanVerdict>
  /** Asks the scanner whether it answers; resolves to its version line (engine and signature database). */
  version(options?: ScanOptions): Promise<string>
  /** Where the scanner is, with no credentials: for logs, readiness and doctor rows. */
  readonly describe: string
}

export type ScannerUnavailableReason =
  /** No connection (refused, socket missing, unreachable). */
  | 'connect'
  /** The scanner did not answer within the deadline. */
  | 'timeout'
  /** The connection broke, or the scanner closed it without a verdict. */
  | 'reset'
  /** The scanner answered, but with an error or a reply this client does not understand. */
  | 'protocol'

/** The scanner could not give a verdict: the content is neither clean nor infected; retry later. */
export class ScannerUnavailableError extends Error {
  override readonly name = 'ScannerUnavailableError'
  constructor(
    readonly reason: ScannerUnavailableReason,
    detail: string,
  ) {
    super(`scanner unavailable (${reason}): ${detail}`)
  }
}

/** The content is larger than the scanner accepts: no verdict, and retrying the same content cannot give one. */
export class ScanTooLargeError extends Error {
  override readonly name = 'ScanTooLargeError'
  constructor(readonly limitBytes: number | undefined) {
    super(
      limitBytes === undefined
        ? 'content exceeds the scanner size limit (clamd StreamMaxLength)'
        : `content exceeds the scan size limit of ${limitBytes} bytes`,
    )
  }
}

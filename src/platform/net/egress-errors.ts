/**
 * The two ways an outbound request to a partner URL does not produce a response. A refusal is our
 * policy saying no (the URL or the address it resolves to may not be called): retrying without a
 * change of URL or DNS is pointless. A failure is the network or the receiver (timeout, refused
 * connection, TLS, reset): a retry may succeed. Both carry a detail written for the tenant
 * administrator who registered the URL; neither carries request headers or body.
 */

export type EgressRefusalReason = 'scheme' | 'url' | 'address' | 'dns'

export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError'
  constructor(
    readonly reason: EgressRefusalReason,
    readonly detail: string,
    /** The refused IP address, for logs (the detail names only its range when a host name resolved to it). */
    readonly address?: string,
  ) {
    super(detail)
  }
}

export type EgressFailureReason =
  /** The total deadline (DNS, connect, TLS, request, headers and body) passed. */
  | 'timeout'
  /** The host name did not resolve when the request was made. */
  | 'dns'
  /** No connection: refused, unreachable. */
  | 'connect'
  /** The TLS handshake failed (certificate, protocol). */
  | 'tls'
  /** The receiver closed or reset the connection before a complete response. */
  | 'reset'
  /** The receiver's answer was not valid HTTP. */
  | 'protocol'
  /** The caller cancelled the request (its AbortSignal). */
  | 'aborted'
  /** Any other network error. */
  | 'network'

export class EgressFailedError extends Error {
  override readonly name = 'EgressFailedError'
  constructor(
    readonly reason: EgressFailureReason,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options)
  }
}

const TLS_CODES = /^(EPROTO|ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ENETDOWN'])
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL'])

/** A node network error as an EgressFailedError; our own errors pass through unchanged. */
export function egressFailure(error: unknown, host: string): EgressRefusedError | EgressFailedError {
  if (error instanceof EgressRefusedError || error instanceof EgressFailedError) return error
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  const message = error instanceof Error ? error.message : String(error)
  const cause = { cause: error }
  // The resolver's own failures (c-ares: syscall queryA/queryAaaa) share codes such as
  // ECONNREFUSED with connections, but are about the name server, not the host.
  const syscall = String((error as { syscall?: unknown } | null)?.syscall ?? '')
  if (DNS_CODES.has(code) || syscall.startsWith('query'))
    return new EgressFailedError('dns', `${host} could not be resolved (${code})`, cause)
  if (CONNECT_CODES.has(code)) return new EgressFailedError('connect', `Could not connect to ${host} (${code})`, cause)
  if (TLS_CODES.test(code))
    return new EgressFailedError('tls', `The TLS handshake with ${host} failed: ${message} (${code})`, cause)
  if (RESET_CODES.has(code))
    return new EgressFailedError('reset', `${host} closed the connection before a complete response (${code})`, cause)
  if (code.startsWith('HPE_'))
    return new EgressFailedError('protocol', `${host} answered with invalid HTTP (${code})`, cause)
  return new EgressFailedError('network', `The request to ${host} failed: ${message}${code ? ` (${code})` : ''}`, cause)
}

/**
 * Recognises errors that mean "the database is unreachable right now" (as opposed to a bad query),
 * so they become 503 + Retry-After instead of 500.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
])
// SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections)
const SQLSTATE = /^(08...|57P0[1-3]|53300)$/

export function isConnectionError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true
  if (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  )
    return true
  const cause = (error as { cause?: unknown }).cause
  return cause !== undefined && cause !== error && isConnectionError(cause)
}

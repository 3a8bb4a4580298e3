/**
 * Keeps secrets and personal data out of logs, trace events and health details. Structured
 * fields are redacted by key at any depth; free text (error messages, driver details) is scrubbed
 * by pattern, because drivers echo values: Drizzle puts query parameters into its error messages
 * and PostgreSQL names the offending key value in `detail`.
 */
export const REDACTED = '[REDACTED]'

/** Keys redacted when they match exactly (after lower-casing and dropping `-`/`_`). */
const EXACT_KEYS = new Set(['code', 'pan', 'otp', 'totp', 'cvc', 'cvv', 'pin', 'ssn', 'iban', 'params', 'parameters'])

/** Keys redacted when they contain one of these (`userEmail`, `x-api-key`, `password_hash`...). */
const KEY_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'cookie',
  'apikey',
  'email',
  'phone',
  'cardnumber',
  'creditcard',
  'connectionstring',
  'databaseurl',
  'smtpurl',
  'redisurl',
  'privatekey',
  'recoverycode',
]

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_\s]/g, '')
  return EXACT_KEYS.has(normalized) || KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment))
}

/** Luhn check, so only digit runs that could be card numbers are removed (not ids or timestamps). */
function passesLuhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2
    sum += digit
  }
  return sum % 10 === 0
}

const TEXT_RULES: Array<[RegExp, string | ((match: string) => string)]> = [
  // Drizzle: "Failed query: <sql>\nparams: <values>"
  [/\bparams: .*/g, `params: ${REDACTED}`],
  // PostgreSQL: "Key (email)=(someone@example.com) already exists."
  [/(\bKey \([^)]*\)=\()[^)]*\)/g, `$1${REDACTED})`],
  // Credentials in URLs: postgres://user:password@host
  [/(\/\/[^\s/:@]*:)[^\s/@]+@/g, `$1${REDACTED}@`],
  // Secret-bearing query parameters: ?token=..., &code=..., &signature=...
  [/([?&#;][\w.-]*(?:token|secret|password|code|key|signature|sig)=)[^&\s"'#]*/gi, `$1${REDACTED}`],
  [/\b(bearer)\s+[\w.~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // JWTs anywhere
  [/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED],
  [/[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi, REDACTED],
  // International phone numbers
  [/\+\d[\d ().-]{6,}\d/g, REDACTED],
  [/\b\d(?:[ -]?\d){12,18}\b/g, (match) => (passesLuhn(match.replace(/\D/g, '')) ? REDACTED : match)],
]

export function scrubText(text: string): string {
  let result = text
  for (const [pattern, replacement] of TEXT_RULES) {
    // Two calls because TypeScript resolves replace()'s overload (string or replacer) per branch.
    result =
      typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement)
  }
  return result
}

/**
 * Paths with a credential as a segment (a bearer URL: whoever has the path has the access), each
 * replaced whole. The calendar feed `/v1/calendar/<token>.ics` is read by calendar apps that
 * cannot send headers, so its token travels in the path, where scrubText's query rules miss it.
 */
const CREDENTIAL_PATHS: Array<[RegExp, string]> = [[/^(\/v1\/calendar\/)[^/]+$/, `$1${REDACTED}`]]

/** A request path as it may be logged: credential segments removed, then scrubbed like free text. */
export function scrubPath(path: string): string {
  let result = path
  for (const [pattern, replacement] of CREDENTIAL_PATHS) result = result.replace(pattern, replacement)
  return scrubText(result)
}

const MAX_DEPTH = 8

/**
 * A copy of `value` with sensitive keys redacted and strings scrubbed. Plain objects, arrays and
 * errors are walked; other objects (Fastify's request and reply) are left to their serializers.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value)
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Error) return serializeError(value, depth)
  if (depth >= MAX_DEPTH) return '[Truncated]'
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1))
  const prototype = Object.getPrototypeOf(value) as unknown
  if (prototype !== Object.prototype && prototype !== null) return value
  const copy: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value))
    copy[key] = isSensitiveKey(key) ? REDACTED : redactValue(child, depth + 1)
  return copy
}

/** Error properties that carry bound values rather than a description of the failure. */
const ERROR_VALUE_KEYS = new Set(['params', 'parameters', 'query_params', 'config', 'request', 'response'])

/**
 * pino's `err` serializer, scrubbed: type, message, stack, the error's own enumerable fields
 * (SQLSTATE `code`, `detail`, `constraint`...) and its cause chain, never the bound values.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error
  const serialized: Record<string, unknown> = {
    type: error.constructor?.name ?? error.name,
    message: scrubText(error.message),
    stack: error.stack ? scrubText(error.stack) : undefined,
  }
  for (const [key, value] of Object.entries(error)) {
    if (key in serialized || key === 'cause') continue
    if (ERROR_VALUE_KEYS.has(key)) serialized[key] = REDACTED
    else if (key === 'code' || key === 'status' || key === 'statusCode') serialized[key] = value
    else if (depth >= MAX_DEPTH) serialized[key] = '[Truncated]'
    else serialized[key] = isSensitiveKey(key) ? REDACTED : redactValue(value, depth + 1)
  }
  if (error.cause !== undefined && depth < MAX_DEPTH)
    serialized.cause =
      error.cause instanceof Error ? serializeError(error.cause, depth + 1) : redactValue(error.cause, depth + 1)
  return serialized
}

/**
 * pino with redaction of secrets and personal data. Paths cover request headers that carry
 * credentials and the field names we use for secrets and PII anywhere in a logged object.
 */
import pino, { type Logger, type DestinationStream } from 'pino'

const SENSITIVE_FIELDS = [
  'password', 'newPassword', 'currentPassword', 'token', 'accessToken', 'refreshToken', 'idToken',
  'secret', 'clientSecret', 'apiKey', 'code', 'otp', 'totp', 'recoveryCode', 'authorization', 'cookie',
  'email', 'phone', 'cardNumber', 'pan', 'cvc', 'iban', 'smtpUrl', 'databaseUrl', 'connectionString',
]

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { service: 'lyceum' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        err: pino.stdSerializers.err,
        // Only the path is logged: query strings may carry tokens (magic links, verification).
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      },
    },
    destination,
  )
}

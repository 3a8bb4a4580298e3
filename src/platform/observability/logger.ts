/**
 * pino with redaction of secrets and personal data. Known credential headers are removed by path
 * (fast), every logged object is then walked so sensitive keys are redacted at any depth, and
 * free text (messages, error details) is scrubbed by pattern (see redaction.ts).
 */
import pino, { type Logger, type DestinationStream } from 'pino'
import { REDACTED, redactValue, scrubPath, scrubText, serializeError } from './redaction.ts'

/**
 * Credential headers by path, for any code that logs raw headers. Sensitive fields elsewhere are
 * handled by the walk in `formatters.log`, which reaches every depth (pino's paths cannot) and
 * leaves error codes such as SQLSTATE readable.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { service: 'lyceum' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      serializers: {
        err: serializeError,
        msg: (message: unknown) => (typeof message === 'string' ? scrubText(message) : message),
        // Only the path is logged (query strings carry tokens: magic links, verification), scrubbed
        // because paths can carry personal data too (/users/by-email/...) and credentials (the
        // calendar feed's token, see scrubPath).
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: scrubPath(req.url.split('?')[0] ?? ''),
        }),
        res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      },
    },
    destination,
  )
}

import { AppError } from '../../../platform/errors.ts'

export const reconciliationErrors = {
  /** The code of every report's bad window (the ledger's reports answer the same). */
  invalidWindow: (message: string) =>
    new AppError('invalid', 'INVALID_DATE_RANGE', message, {
      errors: [{ path: 'querystring.from', message, code: 'range' }],
    }),
  tooManyMovements: (provider: string, limit: number) =>
    new AppError(
      'unprocessable',
      'RECONCILIATION_WINDOW_TOO_BUSY',
      `${provider} lists more than ${limit} movements around this window; reconcile fewer days at a time`,
      { extensions: { provider } },
    ),
}

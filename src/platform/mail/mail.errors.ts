import { AppError } from '../errors.ts'

export const mailErrors = {
  notFound: (id: string) => new AppError('not_found', 'MAIL_MESSAGE_NOT_FOUND', `Mail message ${id} does not exist`),
  invalidMessage: (field: string, message: string) =>
    new AppError('invalid', 'MAIL_INVALID_MESSAGE', `The mail message is invalid: ${field} ${message}`, {
      errors: [{ path: field, message, code: 'mail' }],
    }),
}

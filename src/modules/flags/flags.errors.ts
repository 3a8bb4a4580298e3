import { AppError } from '../../platform/errors.ts'

export const flagErrors = {
  notFound: (key: string) =>
    new AppError('not_found', 'FLAG_NOT_FOUND', `No feature flag "${key}" is declared`, { extensions: { flag: key } }),
}

import { AppError } from '../../platform/errors.ts'

export const credentialsErrors = {
  /** Also for another learner's certificate: its existence is not disclosed. */
  certificateNotFound: (id: string) =>
    new AppError('not_found', 'CERTIFICATE_NOT_FOUND', `No certificate ${id} of yours in this tenant`),
  unknownCertificate: (id: string) =>
    new AppError('not_found', 'CERTIFICATE_NOT_FOUND', `No certificate ${id} in this tenant`),
  unknownVerificationCode: () =>
    new AppError('not_found', 'CERTIFICATE_NOT_FOUND', 'No certificate with this verification code was issued here'),
  alreadyRevoked: (id: string) =>
    new AppError('conflict', 'CERTIFICATE_ALREADY_REVOKED', `Certificate ${id} is already revoked`),
  learnersOnly: () => new AppError('forbidden', 'USER_REQUIRED', 'Only a signed-in user has certificates of their own'),
}

/** Error codes of the notification center (stable: clients act on them). */
import { AppError } from '../../platform/errors.ts'

export const notificationsErrors = {
  personRequired: () =>
    new AppError('forbidden', 'PERSON_REQUIRED', 'Notifications belong to people: sign in as a member'),
  notFound: (id: string) => new AppError('not_found', 'NOTIFICATION_NOT_FOUND', `You have no notification ${id}`),
  unknownType: (field: string, index: number, type: string) =>
    new AppError('invalid', 'NOTIFICATION_TYPE_UNKNOWN', `There is no notification type ${type}`, {
      errors: [{ path: `body.${field}/${index}/type`, message: 'is not a notification type', code: 'type' }],
    }),
  channelNotUsed: (field: string, index: number, type: string, channel: string) =>
    new AppError('invalid', 'NOTIFICATION_CHANNEL_NOT_USED', `${type} is never sent by ${channel}`, {
      errors: [{ path: `body.${field}/${index}/channel`, message: 'is not a channel of this type', code: 'channel' }],
    }),
  channelLocked: (field: string, index: number, type: string, channel: string) =>
    new AppError(
      'conflict',
      'NOTIFICATION_CHANNEL_REQUIRED',
      `${type} is always sent by ${channel} (security notices and receipts cannot be turned off)`,
      { errors: [{ path: `body.${field}/${index}/enabled`, message: 'cannot be turned off', code: 'locked' }] },
    ),
  emptyQuietHours: () =>
    new AppError('invalid', 'QUIET_HOURS_EMPTY', 'Quiet hours must start and end at different times', {
      errors: [{ path: 'body.quietHours', message: 'starts and ends at the same time', code: 'quietHours' }],
    }),
  pushEndpointRefused: (detail: string) =>
    new AppError('invalid', 'PUSH_ENDPOINT_REFUSED', `The push endpoint is refused: ${detail}`, {
      errors: [{ path: 'body.endpoint', message: detail, code: 'endpoint' }],
    }),
  pushKeysInvalid: (field: 'p256dh' | 'auth', detail: string) =>
    new AppError('invalid', 'PUSH_KEYS_INVALID', `The subscription's ${field} key is invalid: ${detail}`, {
      errors: [{ path: `body.keys/${field}`, message: detail, code: field }],
    }),
  deviceNotFound: (id: string) => new AppError('not_found', 'PUSH_DEVICE_NOT_FOUND', `You have no push device ${id}`),
  frequencyNotAllowed: (field: string, index: number, type: string) =>
    new AppError(
      'invalid',
      'NOTIFICATION_FREQUENCY_NOT_ALLOWED',
      `Only the email of activity notifications can be collected into a digest; ${type} is sent at once`,
      {
        errors: [
          { path: `body.${field}/${index}/frequency`, message: 'only for email of activity types', code: 'frequency' },
        ],
      },
    ),
}

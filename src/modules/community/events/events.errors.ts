/** Error codes of community events (stable: clients act on them). */
import { AppError } from '../../../platform/errors.ts'

export const eventErrors = {
  eventNotFound: (id: string) => new AppError('not_found', 'EVENT_NOT_FOUND', `No event ${id} in this community`),
  invalidTimeZone: (zone: string) =>
    new AppError('invalid', 'INVALID_TIME_ZONE', `"${zone.slice(0, 64)}" is not an IANA time zone`, {
      errors: [{ path: 'body.timeZone', message: 'is not an IANA time zone (e.g. Europe/Berlin)', code: 'timeZone' }],
    }),
  invalidSchedule: () =>
    new AppError('invalid', 'INVALID_EVENT_SCHEDULE', 'An event ends after it starts, and lasts at most 31 days', {
      errors: [{ path: 'body.endsAt', message: 'must be after startsAt, within 31 days', code: 'range' }],
    }),
  cancelled: () =>
    new AppError('conflict', 'EVENT_CANCELLED', 'This event is cancelled: it takes no RSVPs and no edits'),
  ended: () => new AppError('conflict', 'EVENT_ENDED', 'This event is over: it takes no RSVPs'),
  membersOnly: () =>
    new AppError(
      'forbidden',
      'EVENT_MEMBERS_ONLY',
      'Only active members of the community answer its events (join it first; suspended members wait for the end of their suspension)',
    ),
  offerNotFound: () =>
    new AppError('conflict', 'EVENT_SEAT_NOT_OFFERED', 'No seat is held for this member: nothing to confirm'),
  offerExpired: () =>
    new AppError('conflict', 'EVENT_SEAT_OFFER_EXPIRED', 'The seat held for this member expired before payment'),
  priceMismatch: () =>
    new AppError('conflict', 'EVENT_PRICE_MISMATCH', "The payment's amount or currency is not the event's price"),
  freeEvent: () => new AppError('conflict', 'EVENT_NOT_PAID', 'This event is free: no payment is confirmed for it'),
  feedNotFound: () => new AppError('not_found', 'CALENDAR_FEED_NOT_FOUND', 'No calendar feed at this address'),
}

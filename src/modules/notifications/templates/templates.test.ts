/** Every locale has every key English has (and no other), and every message parses as ICU. */
import { IntlMessageFormat } from 'intl-messageformat'
import { describe, expect, it } from 'vitest'
import { NOTIFICATION_TYPE_NAMES, TYPE_MESSAGE_KEYS } from '../notification-types.ts'
import { LOCALES } from '../notifications.vocabulary.ts'
import { MESSAGES, renderNotification, templateLocale } from './render.ts'

describe('notification templates', () => {
  it('gives every type a subject, a title and a body in English', () => {
    for (const type of NOTIFICATION_TYPE_NAMES)
      for (const key of TYPE_MESSAGE_KEYS) expect(MESSAGES.en[`${type}.${key}`], `${type}.${key}`).toBeDefined()
  })

  it.each(LOCALES.map((locale) => [locale]))('%s has exactly the English keys, each a valid ICU message', (locale) => {
    const messages = MESSAGES[locale]
    expect(Object.keys(messages).sort()).toEqual(Object.keys(MESSAGES.en).sort())
    for (const [key, source] of Object.entries(messages))
      expect(() => new IntlMessageFormat(source, locale), `${locale} ${key}`).not.toThrow()
  })

  it('picks the template locale by language, English otherwise', () => {
    expect(templateLocale('de-AT')).toBe('de')
    expect(templateLocale('DE')).toBe('de')
    expect(templateLocale('fr-CA')).toBe('en')
  })

  it('keeps subject and title on one line whatever the user-supplied text (security review)', () => {
    const rendered = renderNotification({
      type: 'community.event_reminder_due',
      params: {
        title: 'Launch\r\nBcc: x@example.org\u2028more',
        startsAt: '2026-12-08T10:00:00.000Z',
        communityId: 'c',
        eventId: 'e',
      },
      locale: 'en',
      timeZone: 'UTC',
      recipientName: null,
      branding: { tenantName: 'Acme', logoUrl: null, primaryColor: null },
      link: null,
    })
    expect(rendered.subject).toBe('Reminder: Launch Bcc: x@example.org more')
    expect(rendered.title).not.toMatch(/[\r\n\u2028]/)
  })
})

/**
 * Renders a notification for one recipient: ICU messages (intl-messageformat) in the recipient's
 * locale, falling back to English key by key; an HTML part with every value escaped
 * (platform/http/html.ts) and the tenant's branding; a plain-text part with the same content.
 */
import { IntlMessageFormat } from 'intl-messageformat'
import { html, raw } from '../../../platform/http/html.ts'
import { notificationType, type NotificationType } from '../notification-types.ts'
import { LOCALES, type TemplateLocale } from '../notifications.vocabulary.ts'
import { de } from './de.ts'
import { en } from './en.ts'

export const MESSAGES: Record<TemplateLocale, Record<string, string>> = { en, de }

export type ParamValue = string | number | boolean

export interface Branding {
  tenantName: string
  logoUrl: string | null
  primaryColor: string | null
}

export interface RenderInput {
  type: string
  params: Readonly<Record<string, ParamValue>>
  /** BCP 47 tag of the recipient (or the tenant's default). */
  locale: string
  /** IANA zone instants are shown in. */
  timeZone: string
  recipientName: string | null
  branding: Branding
  /** Absolute link to what the notification is about; null: none. */
  link: string | null
  /** One-click unsubscribe page of this type (activity mail); absent: none. */
  unsubscribeUrl?: string
}

export interface RenderedNotification {
  locale: TemplateLocale
  subject: string
  title: string
  body: string
  text: string
  html: string
}

/** The template locale for a tag: `de-AT` → `de`; anything without templates → `en`. */
export function templateLocale(tag: string): TemplateLocale {
  const language = tag.split('-')[0]?.toLowerCase()
  return (LOCALES as readonly string[]).includes(language ?? '') ? (language as TemplateLocale) : 'en'
}

const compiled = new Map<string, IntlMessageFormat>()

function message(locale: TemplateLocale, key: string): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${key}`
  let format = compiled.get(cacheKey)
  if (!format) {
    const source = MESSAGES[locale][key] ?? MESSAGES.en[key]
    if (source === undefined) throw new Error(`notification message ${key} is missing`)
    format = new IntlMessageFormat(source, MESSAGES[locale][key] === undefined ? 'en' : locale)
    compiled.set(cacheKey, format)
  }
  return format
}

/** One message of the catalogue in the locale (English where the locale lacks it). */
export function formatMessage(locale: TemplateLocale, key: string, values: Record<string, ParamValue>): string {
  const out = message(locale, key).format(values)
  return typeof out === 'string' ? out : String(out)
}

/** Parameter values as the messages read them: instants formatted in the zone, yes/no as select keys. */
function messageValues(type: NotificationType, input: RenderInput, locale: TemplateLocale) {
  const values: Record<string, ParamValue> = {}
  for (const [name, kind] of Object.entries(type.params)) {
    const value = input.params[name]
    if (value === undefined) continue
    if (kind === 'instant')
      values[name] = new Intl.DateTimeFormat(locale, {
        dateStyle: 'full',
        timeStyle: 'short',
        timeZone: input.timeZone,
      }).format(new Date(String(value)))
    else if (kind === 'boolean') values[name] = value === true ? 'true' : 'false'
    else values[name] = value
  }
  return { ...values, tenantName: input.branding.tenantName }
}

/** Line and paragraph separators and tabs folded to single spaces, at most 250 characters. */
export function singleLine(text: string): string {
  return text
    .replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, ' ')
    .trim()
    .slice(0, 250)
}

export function renderNotification(input: RenderInput): RenderedNotification {
  const type = notificationType(input.type)
  if (!type) throw new Error(`unknown notification type ${input.type}`)
  const locale = templateLocale(input.locale)
  const values = messageValues(type, input, locale)
  // Subject and title are one line: a line break from user text (an event's title) would make
  // the mailer refuse the message, and the refusal would roll back the inbox item with it.
  const subject = singleLine(formatMessage(locale, `${input.type}.subject`, values))
  const title = singleLine(formatMessage(locale, `${input.type}.title`, values))
  const body = formatMessage(locale, `${input.type}.body`, values)
  const greeting = input.recipientName
    ? formatMessage(locale, 'layout.greeting', { name: input.recipientName })
    : formatMessage(locale, 'layout.greetingAnonymous', {})
  // A type may name its button (`<type>.action`: "Reset my password"); else "Open in <tenant>".
  const action = `${input.type}.action`
  const open = formatMessage(locale, action in MESSAGES.en ? action : 'layout.open', values)
  const footer = formatMessage(locale, 'layout.footer', values)
  const preferences = formatMessage(locale, 'layout.preferences', values)
  const unsubscribe = input.unsubscribeUrl ? formatMessage(locale, 'layout.unsubscribe', values) : undefined
  const text = [
    greeting,
    '',
    body,
    ...(input.link ? ['', `${open}: ${input.link}`] : []),
    '',
    '--',
    footer,
    preferences,
    ...(unsubscribe ? [`${unsubscribe}: ${input.unsubscribeUrl}`] : []),
  ]
    .join('\n')
    .concat('\n')
  const colour = input.branding.primaryColor ?? '#1f4e79'
  const { logoUrl, tenantName } = input.branding
  const htmlPart = html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;color:#222">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
          <tr>
            <td align="center" style="padding:24px">
              <table
                role="presentation"
                width="600"
                cellpadding="0"
                cellspacing="0"
                style="max-width:600px;background:#fff;border-top:4px solid ${colour}"
              >
                <tr>
                  <td style="padding:24px">
                    ${logoUrl ? html`<img src="${logoUrl}" alt="${tenantName}" height="40" style="display:block;margin-bottom:16px" />` : html`<strong style="font-size:18px;color:${colour}">${tenantName}</strong>`}
                  </td>
                </tr>
                <tr>
                  <td style="padding:0 24px 24px 24px;font-size:15px;line-height:1.5">
                    <p>${greeting}</p>
                    <p>${body}</p>
                    ${input.link ? html`<p><a href="${input.link}" style="display:inline-block;padding:10px 18px;background:${colour};color:#fff;text-decoration:none;border-radius:4px">${open}</a></p>` : raw('')}
                  </td>
                </tr>
                <tr>
                  <td style="padding:16px 24px;border-top:1px solid #eee;font-size:12px;color:#666">
                    <p>${footer}</p>
                    <p>${preferences}</p>
                    ${unsubscribe ? html`<p><a href="${input.unsubscribeUrl}">${unsubscribe}</a></p>` : raw('')}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html> `
  return { locale, subject, title, body, text, html: htmlPart.value }
}

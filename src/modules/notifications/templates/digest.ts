/**
 * The digest email: one message listing the period's notifications (each its inbox title and
 * link), in the member's language, with the tenant's branding, a plain-text part, and the one-click
 * unsubscribe link of every activity email (the digest only ever carries activity types).
 */
import { html } from '../../../platform/http/html.ts'
import type { DigestFrequency } from '../notifications.vocabulary.ts'
import { formatMessage, templateLocale, type Branding } from './render.ts'

export interface DigestItem {
  title: string
  link: string | null
}

export interface DigestInput {
  frequency: DigestFrequency
  locale: string
  recipientName: string | null
  branding: Branding
  items: readonly DigestItem[]
  unsubscribeUrl: string
}

export function renderDigest(input: DigestInput) {
  const locale = templateLocale(input.locale)
  const values = { tenantName: input.branding.tenantName, count: input.items.length }
  const subject = formatMessage(locale, `digest.${input.frequency}.subject`, values)
  const intro = formatMessage(locale, `digest.${input.frequency}.intro`, values)
  const greeting = input.recipientName
    ? formatMessage(locale, 'layout.greeting', { name: input.recipientName })
    : formatMessage(locale, 'layout.greetingAnonymous', {})
  const footer = formatMessage(locale, 'layout.footer', values)
  const reason = formatMessage(locale, 'digest.reason', values)
  const unsubscribe = formatMessage(locale, 'digest.unsubscribe', values)
  const text = [
    greeting,
    '',
    intro,
    '',
    ...input.items.flatMap((item) => [`- ${item.title}`, ...(item.link ? [`  ${item.link}`] : [])]),
    '',
    '--',
    footer,
    reason,
    `${unsubscribe}: ${input.unsubscribeUrl}`,
  ]
    .join('\n')
    .concat('\n')
  const colour = input.branding.primaryColor ?? '#1f4e79'
  const { tenantName } = input.branding
  const page = html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:24px;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;color:#222">
        <div style="max-width:600px;margin:0 auto;background:#fff;border-top:4px solid ${colour};padding:24px">
          <p><strong style="font-size:18px;color:${colour}">${tenantName}</strong></p>
          <p>${greeting}</p>
          <p>${intro}</p>
          <ul>
            ${input.items.map((item) =>
              item.link ? html`<li><a href="${item.link}">${item.title}</a></li>` : html`<li>${item.title}</li>`,
            )}
          </ul>
          <p style="font-size:12px;color:#666">${footer}<br />${reason}</p>
          <p style="font-size:12px"><a href="${input.unsubscribeUrl}">${unsubscribe}</a></p>
        </div>
      </body>
    </html> `
  return { subject, text, html: page.value }
}

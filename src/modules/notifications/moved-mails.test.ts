/**
 * The mails modules used to build themselves, as notification types (issue 13 point 10): live
 * links travel only as sealed secrets (to a member only on security types, to an address on any
 * type), security notices lead to the reset page on the tenant's host without a token, and every
 * security type is essential mail.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { deliveriesOf, inboxRowsOf, mailsTo, memberOf, notifyNow } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

/** The tenant's host on this deployment (identity's hosted pages answer there). */
function tenantOrigin(slug: string): string {
  const url = new URL(t.config.http.publicUrl)
  url.hostname = `${slug}.${t.config.http.baseDomain}`
  return url.origin
}

const essentialOf = async (mailId: string) =>
  (
    await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ essential: boolean }>(tx, sql`SELECT essential FROM platform.mail_messages WHERE id = ${mailId}`),
    )
  )[0]?.essential

describe('moved mails', () => {
  it('leads a security notice to the reset page on the tenant’s host, with no token, by mail and inbox, as essential mail', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const outcomes = await notifyNow(t, {
      tenantId: tenant.id,
      type: 'identity.mfa_disabled',
      eventId: `identity.security.mfa_disabled:${randomUUID()}`,
      recipient: { userId: member.userId },
      params: { byAdministrator: true },
    })
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'sent'])
    const [mail] = await mailsTo(t, member.email)
    expect(mail!.subject).toBe('Two-factor authentication was turned off')
    expect(mail!.text_body).toContain(`Reset my password: ${tenantOrigin(tenant.slug)}/reset-password\n`)
    expect(mail!.text_body).toContain('An administrator of')
    expect(mail!.text_body).not.toContain('token=')
    expect(await essentialOf(mail!.id)).toBe(true)
    expect((await inboxRowsOf(t, member.userId)).map((i) => i.type)).toEqual(['identity.mfa_disabled'])
  })

  it('mails a security link to a member by email only, the link in place of the type’s', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id, { locale: 'de' })
    const link = `${tenantOrigin(tenant.slug)}/reset-password?token=abc_DEF-123`
    const eventId = `identity.reset_password:${randomUUID()}`
    await notifyNow(t, {
      tenantId: tenant.id,
      type: 'identity.password_reset',
      eventId,
      recipient: { userId: member.userId },
      params: { validMinutes: 30 },
      secrets: { link },
    })
    expect((await deliveriesOf(t, eventId)).map((d) => [d.channel, d.status])).toEqual([['email', 'sent']])
    const [mail] = await mailsTo(t, member.email)
    expect(mail!.subject).toBe('Passwort zurücksetzen')
    expect(mail!.text_body).toContain(`Neues Passwort wählen: ${link}\n`)
    expect(mail!.text_body).toContain('läuft in 30 Minuten ab')
    expect(mail!.html_body).toContain(`href="${link}"`)
    expect(await essentialOf(mail!.id)).toBe(true)
    expect(await inboxRowsOf(t, member.userId)).toEqual([])
  })

  it('carries an invitation’s link to an address, but refuses a secret on a transactional type to a member', async () => {
    const tenant = await t.createTenant()
    const to = `invitee-${randomUUID().slice(0, 8)}@example.test`
    const invitation = {
      tenantId: tenant.id,
      type: 'identity.invitation',
      eventId: `identity.invitation:${randomUUID()}:1`,
      params: { roles: 'instructor', validDays: 7 },
      secrets: { link: `${tenantOrigin(tenant.slug)}/invitation?token=xyz` },
    }
    expect(await notifyNow(t, { ...invitation, recipient: { email: to } })).toEqual([
      { channel: 'email', outcome: 'sent' },
    ])
    const [mail] = await mailsTo(t, to)
    expect(mail!.subject).toBe(`You're invited to join Tenant ${tenant.slug}`)
    expect(mail!.text_body).toContain(`Accept the invitation: ${invitation.secrets.link}\n`)
    expect(await essentialOf(mail!.id)).toBe(false)

    const member = await memberOf(t, tenant.id)
    await expect(
      notifyNow(t, {
        ...invitation,
        type: 'credentials.certificate_issued',
        recipient: { userId: member.userId },
        params: { courseTitle: 'c', issuerName: 'i', recipientName: 'r', named: true, verificationUrl: 'https://x' },
      }),
    ).rejects.toThrow(/only security notifications to members carry secrets/)
  })
})

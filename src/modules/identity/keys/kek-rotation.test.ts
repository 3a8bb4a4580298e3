import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, isNotNull, ne } from 'drizzle-orm'
import { loadConfig } from '../../../config.ts'
import { platformScope } from '../../../platform/db/database.ts'
import { openPglite } from '../../../platform/db/pglite-database.ts'
import { auditLog } from '../../../platform/audit/audit.tables.ts'
import { buildTestApp, TEST_KEY_ENCRYPTION_KEY, type TestApp } from '../../../../test/build-test-app.ts'
import { createMailer } from '../../../platform/mail/mailer.ts'
import { mailMessages } from '../../../platform/mail/mail.tables.ts'
import { signingKeys, totpFactors } from '../identity.tables.ts'
import { operators } from '../operators/operators.tables.ts'
import { awayFromStepEdge, codeAt, mfaClient } from '../mfa/mfa.testing.ts'
import { decryptTotpSecret, encryptTotpSecret, newTotpSecret } from '../mfa/totp-secrets.ts'
import { parseKeyEncryptionKey } from './key-crypto.ts'
import {
  reencryptKeysCommand as reencryptKeysCommandOf,
  reencryptSecrets as reencryptSecretsOf,
  ReencryptionError,
} from '../../../platform/crypto/reencrypt.ts'

const KEK1 = TEST_KEY_ENCRYPTION_KEY
const KEK2 = randomBytes(32).toString('base64url')
const randomKek = () => randomBytes(32).toString('base64url')

let t: TestApp
let operatorId: string
let operatorSecret: string
let user: Awaited<ReturnType<typeof enrolled>>
let mailId: string
const mailToken = randomBytes(32).toString('base64url')

/** A user of a fresh tenant with a confirmed TOTP factor (enrolled through HTTP under KEK1). */
async function enrolled() {
  const api = mfaClient(t)
  const signedIn = await api.user()
  const { secret } = (await api.enrol(signedIn.slug, signedIn.accessToken)).json() as { secret: string }
  await awayFromStepEdge()
  const confirmed = await api.confirm(signedIn.slug, signedIn.accessToken, await codeAt(secret, -1))
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.statusCode} ${confirmed.body}`)
  return { ...signedIn, secret }
}

/** Every KEK-protected ciphertext, keyed by table and row id: the state a failed run must leave untouched. */
async function ciphertexts(): Promise<Record<string, string>> {
  return t.platform.database.transaction(platformScope, async (tx) => {
    const state: Record<string, string> = {}
    for (const row of await tx.select().from(signingKeys).where(ne(signingKeys.privateJwkEncrypted, '')))
      state[`signing_keys/${row.kid}`] = row.privateJwkEncrypted
    for (const row of await tx.select().from(totpFactors)) state[`totp_factors/${row.userId}`] = row.secretEncrypted
    for (const row of await tx.select().from(operators)) state[`operators/${row.id}`] = row.totpSecretEncrypted
    for (const row of await tx.select().from(mailMessages).where(isNotNull(mailMessages.secretsSealed)))
      state[`mail_messages/${row.id}`] = row.secretsSealed!
    return state
  })
}

// The registry the app was built with: every column sealed under the KEK, identity's among them.
const reencryptSecrets = (
  database: TestApp['platform']['database'],
  keys: { previousKey: string; currentKey: string },
) => reencryptSecretsOf(database, t.platform.sealedColumns, keys)
const reencryptKeysCommand = (
  database: TestApp['platform']['database'],
  keys: { previousKey: string | undefined; currentKey: string },
  write: (text: string) => void,
) => reencryptKeysCommandOf(database, t.platform.sealedColumns, keys, write)

const setOperatorCiphertext = (value: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    tx.update(operators).set({ totpSecretEncrypted: value }).where(eq(operators.id, operatorId)),
  )

beforeAll(async () => {
  t = await buildTestApp()
  user = await enrolled()
  operatorSecret = newTotpSecret('ops@example.test').secret
  const [operator] = await t.platform.database.transaction(platformScope, async (tx) =>
    tx
      .insert(operators)
      .values({
        email: `ops-${randomBytes(4).toString('hex')}@example.test`,
        displayName: 'Ops',
        passwordHash: 'not-used-here',
        totpSecretEncrypted: 'pending',
      })
      .returning({ id: operators.id }),
  )
  operatorId = operator!.id
  await setOperatorCiphertext(await encryptTotpSecret(operatorSecret, operatorId, parseKeyEncryptionKey(KEK1)))
  // A message waiting for SMTP delivery holds its live link sealed under KEK1.
  const smtpMailer = createMailer({
    config: { ...t.config, mail: { ...t.config.mail, smtpUrl: 'smtp://127.0.0.1:9' } },
    logger: t.platform.logger,
    database: t.platform.database,
    jobs: { define() {}, send: async () => null },
  })
  mailId = await t.platform.database.transaction(platformScope, (tx) =>
    smtpMailer.send(tx, {
      tenantId: null,
      to: 'waiting@example.test',
      subject: 'Your sign-in link',
      text: 'Sign in: {{link}}',
      messageKey: `test.kek:${randomBytes(8).toString('hex')}`,
      secrets: { link: `https://academy.example.test/magic-link?token=${mailToken}` },
    }),
  )
  smtpMailer.close()
})

afterAll(async () => {
  await t?.close()
})

describe('lyceum keys reencrypt', () => {
  it('refuses a wrong previous key, naming the table and row, and changes nothing', async () => {
    const before = await ciphertexts()
    const attempt = reencryptSecrets(t.platform.database, { previousKey: randomKek(), currentKey: KEK2 })
    await expect(attempt).rejects.toThrow(ReencryptionError)
    await expect(attempt).rejects.toThrow(
      /^identity\.signing_keys row [A-Za-z0-9_-]{22} decrypts under neither KEY_ENCRYPTION_KEY_PREVIOUS nor KEY_ENCRYPTION_KEY/,
    )
    expect(await ciphertexts()).toEqual(before)
  })

  it('rolls back the rows it already re-encrypted when a later row opens under neither key', async () => {
    const original = (await ciphertexts())[`operators/${operatorId}`]!
    await setOperatorCiphertext(await encryptTotpSecret(operatorSecret, operatorId, parseKeyEncryptionKey(randomKek())))
    const before = await ciphertexts()
    await expect(reencryptSecrets(t.platform.database, { previousKey: KEK1, currentKey: KEK2 })).rejects.toThrow(
      `identity.operators row ${operatorId} decrypts under neither`,
    )
    expect(await ciphertexts()).toEqual(before)
    await setOperatorCiphertext(original)
  })

  it('is refused in production when KEY_ENCRYPTION_KEY_PREVIOUS equals KEY_ENCRYPTION_KEY', () => {
    const key = randomKek()
    expect(() => loadConfig({ KEY_ENCRYPTION_KEY: key, KEY_ENCRYPTION_KEY_PREVIOUS: key }, 'production')).toThrow(
      /KEY_ENCRYPTION_KEY_PREVIOUS must differ from KEY_ENCRYPTION_KEY/,
    )
    expect(() =>
      loadConfig({ KEY_ENCRYPTION_KEY: key, KEY_ENCRYPTION_KEY_PREVIOUS: randomKek() }, 'production'),
    ).not.toThrow(/KEY_ENCRYPTION_KEY_PREVIOUS/)
    expect(
      loadConfig({ KEY_ENCRYPTION_KEY: key, KEY_ENCRYPTION_KEY_PREVIOUS: KEK1 }, 'test').signingKeys
        .previousKeyEncryptionKey,
    ).toBe(KEK1)
  })

  it('refuses a missing previous key and one equal to the new key', async () => {
    await expect(
      reencryptKeysCommand(t.platform.database, { previousKey: undefined, currentKey: KEK2 }, () => undefined),
    ).rejects.toThrow(/Set KEY_ENCRYPTION_KEY_PREVIOUS/)
    await expect(reencryptSecrets(t.platform.database, { previousKey: KEK1, currentKey: KEK1 })).rejects.toThrow(
      /equals KEY_ENCRYPTION_KEY/,
    )
  })

  it('moves every secret to the new key; an app started with only the new key signs, verifies and accepts TOTP codes', async () => {
    const tokenBefore = (await mfaClient(t).call(user.slug, 'GET', '/v1/me', user.accessToken)).statusCode
    expect(tokenBefore).toBe(200)
    const before = await ciphertexts()
    const output: string[] = []
    const result = await reencryptKeysCommand(t.platform.database, { previousKey: KEK1, currentKey: KEK2 }, (text) =>
      output.push(text),
    )

    const counts = Object.fromEntries(result.tables.map((table) => [table.table, table]))
    expect(counts['identity.signing_keys']).toEqual({
      table: 'identity.signing_keys',
      reencrypted: expect.any(Number) as number,
      alreadyCurrent: 0,
    })
    expect(counts['identity.signing_keys']!.reencrypted).toBeGreaterThanOrEqual(1)
    expect(counts['identity.totp_factors']!.reencrypted).toBe(
      Object.keys(before).filter((key) => key.startsWith('totp_factors/')).length,
    )
    const operatorRows = Object.keys(before).filter((key) => key.startsWith('operators/')).length
    expect(counts['identity.operators']).toEqual({
      table: 'identity.operators',
      reencrypted: operatorRows,
      alreadyCurrent: 0,
    })
    expect(output.join('')).toContain(
      `identity.operators: ${operatorRows} re-encrypted, 0 already under KEY_ENCRYPTION_KEY`,
    )
    const pendingMail = Object.keys(before).filter((key) => key.startsWith('mail_messages/')).length
    expect(pendingMail).toBeGreaterThanOrEqual(1)
    expect(counts['platform.mail_messages']).toEqual({
      table: 'platform.mail_messages',
      reencrypted: pendingMail,
      alreadyCurrent: 0,
    })
    const after = await ciphertexts()
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort())
    for (const [key, value] of Object.entries(after)) expect(value, key).not.toBe(before[key])
    expect(await decryptTotpSecret(after[`operators/${operatorId}`]!, operatorId, parseKeyEncryptionKey(KEK2))).toBe(
      operatorSecret,
    )
    const audits = await t.platform.database.transaction(platformScope, (tx) =>
      tx.select().from(auditLog).where(eq(auditLog.action, 'identity.key_encryption_key.reencrypted')),
    )
    expect(audits).toHaveLength(1)

    // Embedded mode: a copy of this database; PostgreSQL: the very same database.
    const pglite = t.platform.pglite
      ? await openPglite('memory://', await t.platform.pglite.dumpDataDir('none'))
      : undefined
    const next = await buildTestApp({ env: { KEY_ENCRYPTION_KEY: KEK2 }, ...(pglite ? { pglite } : {}) })
    try {
      const activeKid = Object.keys(after)
        .find((key) => key.startsWith('signing_keys/'))!
        .split('/')[1]
      const jwks = await next.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
      expect(jwks.statusCode).toBe(200)
      expect((jwks.json() as { keys: { kid: string }[] }).keys.map((key) => key.kid)).toContain(activeKid)
      const api = mfaClient(next)
      // A token signed before the change still verifies: the signing key itself did not change.
      expect((await api.call(user.slug, 'GET', '/v1/me', user.accessToken)).statusCode).toBe(200)
      // Sign-in with the password and a TOTP code: the secret opens under the new key.
      const mfaToken = await api.challenge(user.slug, user.email)
      await awayFromStepEdge()
      const second = await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })
      expect(second.statusCode).toBe(200)
      const { accessToken } = second.json() as { accessToken: string }
      expect((await api.call(user.slug, 'GET', '/v1/me', accessToken)).statusCode).toBe(200)
      // New signing keys are created under the new key too.
      await next.modules.identity.keys.rotate('test: after re-encryption')
      const { keys } = (await next.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
        keys: { kid: string }[]
      }
      expect(keys.length).toBeGreaterThanOrEqual(2)
      // The waiting message opens under the new key: delivered (here: captured), with its link.
      await next.platform.mail.deliver({ messageId: mailId }, { id: 'job', retryCount: 0 })
      const [mail] = await next.platform.database.transaction(platformScope, (tx) =>
        tx.select().from(mailMessages).where(eq(mailMessages.id, mailId)),
      )
      expect(mail).toMatchObject({ status: 'captured', secretsSealed: null })
      expect(mail?.textBody).toBe(`Sign in: https://academy.example.test/magic-link?token=${mailToken}`)
    } finally {
      await next.close()
    }
  })

  it('is a no-op when run again', async () => {
    const before = await ciphertexts()
    const result = await reencryptSecrets(t.platform.database, { previousKey: KEK1, currentKey: KEK2 })
    for (const table of result.tables) expect(table.reencrypted, table.table).toBe(0)
    const alreadyCurrent = Object.fromEntries(result.tables.map((table) => [table.table, table.alreadyCurrent]))
    expect(alreadyCurrent).toMatchObject({
      'identity.signing_keys': Object.keys(before).filter((key) => key.startsWith('signing_keys/')).length,
      'identity.totp_factors': Object.keys(before).filter((key) => key.startsWith('totp_factors/')).length,
      'identity.operators': Object.keys(before).filter((key) => key.startsWith('operators/')).length,
      'platform.mail_messages': Object.keys(before).filter((key) => key.startsWith('mail_messages/')).length,
    })
    expect(await ciphertexts()).toEqual(before)
  })
})

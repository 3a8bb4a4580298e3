import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compactDecrypt, decodeProtectedHeader } from 'jose'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { openPglite } from '../../../platform/db/pglite-database.ts'
import { auditLog } from '../../../platform/audit/audit.tables.ts'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { ROTATE_SIGNING_KEY, rotateKeysCommand } from '../index.ts'
import { signingKeys } from '../identity.tables.ts'
import { createAccessTokens } from '../tokens/access-tokens.ts'
import { createSigningKeyStore } from './key-store.ts'
import { parseKeyEncryptionKey } from './key-crypto.ts'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})

afterAll(async () => {
  await t.close()
})

const allKeys = () => t.platform.database.transaction(platformScope, (tx) => tx.select().from(signingKeys))
const activeKey = async () =>
  (await allKeys()).filter((row) => row.supersededAt === null).sort((a, b) => +b.createdAt - +a.createdAt)[0]!
const storeOn = (database: Database, extra: { unknownKidReloadMs?: number } = {}) =>
  createSigningKeyStore({
    database,
    keyEncryptionKey: t.config.signingKeys.keyEncryptionKey,
    rotationDays: 30,
    overlapHours: 24,
    ...extra,
  })

async function rotationAudits(kid: string) {
  return t.platform.database.transaction(platformScope, (tx) =>
    tx
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, 'identity.signing_key.rotated'), eq(auditLog.targetId, kid), isNull(auditLog.tenantId)),
      ),
  )
}

describe('signing key store', () => {
  it('never stores a private key in clear: only a dir/A256GCM JWE bound to its kid', async () => {
    const active = await activeKey()
    const kek = parseKeyEncryptionKey(t.config.signingKeys.keyEncryptionKey)
    const { plaintext, protectedHeader } = await compactDecrypt(active.privateJwkEncrypted, kek)
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: active.kid, cty: 'jwk+json' })
    const { d } = JSON.parse(new TextDecoder().decode(plaintext)) as { d: string }
    expect(d).toMatch(/^[A-Za-z0-9_-]{43}$/)
    for (const row of await allKeys()) {
      expect(row.publicJwk).not.toHaveProperty('d')
      expect(JSON.stringify(row)).not.toContain(d)
      // Superseded keys never sign again, so their private half is erased.
      if (row.supersededAt) expect(row.privateJwkEncrypted).toBe('')
      else expect(row.privateJwkEncrypted.split('.')).toHaveLength(5)
    }
  })

  it('refuses to start with a different KEY_ENCRYPTION_KEY, naming the variable', async () => {
    // Embedded mode: a copy of this file's database; PostgreSQL: the very same database.
    const pglite = t.platform.pglite
      ? await openPglite('memory://', await t.platform.pglite.dumpDataDir('none'))
      : undefined
    const attempt = buildTestApp({ env: { KEY_ENCRYPTION_KEY: 'B'.repeat(42) + 'A' }, ...(pglite ? { pglite } : {}) })
    await expect(attempt).rejects.toThrow(/KEY_ENCRYPTION_KEY cannot decrypt the signing key/)
    if (pglite && !pglite.closed) await pglite.close()
  })

  it('creates exactly one active key when processes start together on a database without one', async () => {
    await t.platform.database.transaction(platformScope, (tx) =>
      tx
        .update(signingKeys)
        .set({ supersededAt: sql`now()`, retireAt: sql`now() + interval '1 hour'` })
        .where(isNull(signingKeys.supersededAt)),
    )
    const stores = [storeOn(t.platform.database), storeOn(t.platform.database), storeOn(t.platform.database)]
    await Promise.all(stores.map((store) => store.ensureActiveKey()))
    const active = (await allKeys()).filter((row) => row.supersededAt === null)
    expect(active).toHaveLength(1)
    const kids = await Promise.all(stores.map(async (store) => (await store.signingKey()).kid))
    expect(new Set(kids)).toEqual(new Set([active[0]!.kid]))
    await t.modules.identity.keys.refresh()
  })

  it('picks up a rotation made by another node when a token names the new kid', async () => {
    const thisNode = storeOn(t.platform.database, { unknownKidReloadMs: 0 })
    await thisNode.ensureActiveKey()
    const otherNode = storeOn(t.platform.database)
    await otherNode.ensureActiveKey()
    await otherNode.rotate('test: other node')
    const token = await createAccessTokens({ keys: otherNode, issuer: 'https://issuer.test' }).issue({
      userId: 'u',
      tenantId: randomUUID(),
      roles: [],
    })
    const principal = await createAccessTokens({ keys: thisNode, issuer: 'https://issuer.test' }).verify(token)
    expect(principal).toMatchObject({ kind: 'user', userId: 'u' })
    await t.modules.identity.keys.refresh()
  })

  it('reloads for unknown kids at most once per interval', async () => {
    let transactions = 0
    const counting: Database = {
      ...t.platform.database,
      transaction: (scope, work, options) => (transactions++, t.platform.database.transaction(scope, work, options)),
    }
    const store = storeOn(counting, { unknownKidReloadMs: 60_000 })
    await store.ensureActiveKey()
    const before = transactions
    for (let i = 0; i < 20; i++) expect(await store.verificationKey(`unknown-kid-${i}`)).toBeUndefined()
    expect(transactions).toBe(before)
  })
})

describe('rotation', () => {
  it('the scheduled job leaves a fresh key alone and rotates one older than the rotation period, with an audit entry', async () => {
    const job = t.platform.jobs.queue(ROTATE_SIGNING_KEY)?.definition
    expect(job?.schedule?.cron).toBe('17 3 * * *')
    await t.modules.identity.keys.rotate('test: fresh')
    const fresh = await activeKey()
    await job!.handler(undefined, { id: 'test', retryCount: 0 })
    expect((await activeKey()).kid).toBe(fresh.kid)

    await t.platform.database.transaction(platformScope, (tx) =>
      tx
        .update(signingKeys)
        .set({ createdAt: sql`now() - interval '31 days'` })
        .where(eq(signingKeys.kid, fresh.kid)),
    )
    await job!.handler(undefined, { id: 'test', retryCount: 0 })
    const rotated = await activeKey()
    expect(rotated.kid).not.toBe(fresh.kid)
    const previous = (await allKeys()).find((row) => row.kid === fresh.kid)!
    expect(previous.supersededAt).not.toBeNull()
    const overlapMs = previous.retireAt!.getTime() - previous.supersededAt!.getTime()
    expect(overlapMs).toBe(24 * 3600 * 1000)
    const [audit] = await rotationAudits(rotated.kid)
    expect(audit).toMatchObject({
      actorType: 'operator',
      actorId: 'system',
      outcome: 'success',
      details: { reason: 'scheduled', previousKid: fresh.kid },
    })
  })

  it('`lyceum keys rotate` rotates now, reports the new kid and audits it', async () => {
    const before = await activeKey()
    let output = ''
    const result = await rotateKeysCommand(t.modules.identity.keys, (text) => (output += text))
    expect(result.previousKid).toBe(before.kid)
    expect(output).toContain(`new kid ${result.kid}`)
    expect(output).toContain(`previous key ${before.kid} keeps verifying until`)
    expect((await t.modules.identity.keys.signingKey()).kid).toBe(result.kid)
    expect(
      decodeProtectedHeader(
        await t.modules.identity.accessTokens.issue({ userId: 'u', tenantId: randomUUID(), roles: [] }),
      ).kid,
    ).toBe(result.kid)
    const [audit] = await rotationAudits(result.kid)
    expect(audit?.details).toMatchObject({ reason: 'command', previousKid: before.kid })
  })
})

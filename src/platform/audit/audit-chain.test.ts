/**
 * The audit hash chain end to end: entries written through recordAudit (directly and by real
 * requests) link per tenant, concurrent writers leave no gaps, and `lyceum audit verify` finds
 * rows altered or deleted by someone who bypassed the app (the database owner). Also the CSV export.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from '../db/owner-connection.ts'
import { platformScope, rowsOf, tenantScope } from '../db/database.ts'
import { systemContext } from '../http/request-context.ts'
import { GENESIS_HASH, canonicalJson, entryHash } from './audit-chain.ts'
import { auditCommand } from './audit-verify.command.ts'
import { formatVerifyReport, verifyAuditChains } from './audit-verify.ts'
import { hashIp, recordAudit } from './audit.ts'
import { auditLog } from './audit.tables.ts'

let t: TestApp
let owner: OwnerConnection
beforeAll(async () => {
  t = await buildTestApp()
  if (t.config.database.kind === 'postgres') owner = await postgresOwner(testDatabaseUrl())
  else if (t.platform.pglite) owner = pgliteOwner(t.platform.pglite)
})
afterAll(async () => {
  if (owner?.kind === 'postgres') await owner.close()
  await t?.close()
})

interface ChainRow {
  id: string
  tenant_id: string | null
  occurred_at: string
  actor_type: string
  actor_id: string
  impersonator_id: string | null
  action: string
  target_type: string
  target_id: string
  outcome: string
  request_id: string | null
  ip_hash: string | null
  details: unknown
  chain_seq: number
  hash: string
}

/** A tenant's chained rows in chain order, read as the platform role. */
const chainOf = (tenantId: string | null) =>
  t.platform.database.transaction(platformScope, async (tx) =>
    (
      await rowsOf<ChainRow>(
        tx,
        sql`SELECT id::text, tenant_id::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at, actor_type, actor_id,
                   impersonator_id, action, target_type, target_id, outcome, request_id, ip_hash, details, chain_seq, hash
            FROM platform.audit_log WHERE ${tenantId === null ? sql`tenant_id IS NULL` : sql`tenant_id = ${tenantId}::uuid`} AND chain_seq IS NOT NULL ORDER BY chain_seq`,
      )
    ).map((row) => ({ ...row, chain_seq: Number(row.chain_seq) })),
  )

const headOf = async (chain: string) =>
  (
    await owner.query<{ seq: string | number; hash: string }>(
      'SELECT seq, hash FROM platform.audit_chain_heads WHERE chain = $1',
      [chain],
    )
  ).map((h) => ({ seq: Number(h.seq), hash: h.hash }))[0]

/** Writes one entry through recordAudit in the tenant's own scope (as a job or command would). */
const audit = (tenantId: string, action: string, details: Record<string, unknown> = {}) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    recordAudit(tx, systemContext(t.platform.database, tenantId, `req-${action}`), {
      action,
      targetType: 'thing',
      targetId: 'thing-1',
      details,
    }),
  )

const verifyTenant = async (tenantId: string) =>
  formatVerifyReport(await verifyAuditChains(t.platform.database, { only: tenantId }))

describe('the audit hash chain', () => {
  it("links each tenant's entries in its own chain, seq 1..n, each hash over the previous one", async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    await audit(a.id, 'test.first', { nested: { z: 1, a: [true, null, 'x'] }, dropped: undefined })
    await audit(a.id, 'test.second')
    await audit(b.id, 'test.other')

    const rows = await chainOf(a.id)
    expect(rows.map((r) => [r.chain_seq, r.action])).toEqual([
      [1, 'tenant.created'],
      [2, 'test.first'],
      [3, 'test.second'],
    ])
    let previous = GENESIS_HASH
    for (const row of rows) {
      const fields = {
        id: row.id,
        tenantId: row.tenant_id,
        occurredAt: row.occurred_at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        impersonatorId: row.impersonator_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        outcome: row.outcome,
        requestId: row.request_id,
        ipHash: row.ip_hash,
        details: row.details,
        seq: row.chain_seq,
      }
      expect(row.hash).toBe(entryHash(previous, fields))
      previous = row.hash
    }
    expect(rows[1]).toMatchObject({
      details: { nested: { z: 1, a: [true, null, 'x'] } },
      request_id: 'req-test.first',
      ip_hash: hashIp('127.0.0.1'),
    })
    expect(await headOf(a.id)).toEqual({ seq: 3, hash: previous })
    expect((await chainOf(b.id)).map((r) => [r.chain_seq, r.action])).toEqual([
      [1, 'tenant.created'],
      [2, 'test.other'],
    ])
    expect(await verifyTenant(a.id)).toBe('ok: 1 chains, 3 entries\n')
  })

  it('canonical JSON sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é"' }, u: undefined })).toBe(
      '{"a":{"c":"é\\"","d":[3,{"x":2,"y":1}]},"b":1}',
    )
  })

  it('keys the IP hash: not the plain SHA-256 of the address', async () => {
    const { createHash } = await import('node:crypto')
    expect(hashIp('203.0.113.9')).toMatch(/^[0-9a-f]{32}$/)
    expect(hashIp('203.0.113.9')).not.toBe(createHash('sha256').update('203.0.113.9').digest('hex').slice(0, 32))
    expect(hashIp('203.0.113.9')).not.toBe(hashIp('203.0.113.10'))
  })

  it('stays gap-free under concurrent audited writes, and a rolled-back entry takes no position', async () => {
    const tenant = await t.createTenant()
    const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
    const toggles = Array.from({ length: 20 }, (_, i) =>
      t.app.inject({
        method: 'PUT',
        url: '/v1/flags/tenancy.public_site',
        headers: admin,
        payload: { enabled: i % 2 === 0 },
      }),
    )
    const direct = Array.from({ length: 20 }, (_, i) => audit(tenant.id, `test.parallel_${i}`))
    const rolledBack = t.platform.database
      .transaction(tenantScope(tenant.id), async (tx) => {
        await recordAudit(tx, systemContext(t.platform.database, tenant.id), {
          action: 'test.rolled_back',
          targetType: 'thing',
          targetId: 'x',
        })
        throw new Error('abort')
      })
      .catch((error: Error) => error.message)
    const responses = await Promise.all(toggles)
    await Promise.all(direct)
    expect(await rolledBack).toBe('abort')
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200))

    const rows = await chainOf(tenant.id)
    expect(rows.map((r) => r.chain_seq)).toEqual(rows.map((_, i) => i + 1))
    expect(rows.filter((r) => r.action.startsWith('test.parallel_'))).toHaveLength(20)
    expect(rows.filter((r) => r.action === 'flag.overridden').length).toBeGreaterThan(0)
    expect(rows.some((r) => r.action === 'test.rolled_back')).toBe(false)
    expect(await headOf(tenant.id)).toEqual({ seq: rows.length, hash: rows.at(-1)?.hash })
    expect(await verifyTenant(tenant.id)).toBe(`ok: 1 chains, ${rows.length} entries\n`)
  })

  it('chains entries without a tenant in the platform chain', async () => {
    const before = (await headOf('platform'))?.seq ?? 0
    await t.platform.database.transaction(platformScope, (tx) =>
      recordAudit(tx, systemContext(t.platform.database, null), {
        action: 'test.platform_entry',
        targetType: 'thing',
        targetId: 'p',
        tenantId: null,
      }),
    )
    const rows = await chainOf(null)
    expect(rows.at(-1)).toMatchObject({ action: 'test.platform_entry', chain_seq: before + 1, tenant_id: null })
    const report = await verifyAuditChains(t.platform.database, { only: null })
    expect(report).toMatchObject({ chains: 1, entries: before + 1, broken: [] })
  })

  it('reports an entry altered by the database owner as the first broken link', async () => {
    const tenant = await t.createTenant()
    for (const n of [1, 2, 3]) await audit(tenant.id, `test.entry_${n}`, { n })
    const rows = await chainOf(tenant.id)
    const victim = rows[2]!
    await owner.query(`UPDATE platform.audit_log SET details = '{"n": 99}' WHERE id = $1`, [victim.id])
    expect(await verifyTenant(tenant.id)).toBe(
      `broken: chain ${tenant.id} seq 3 entry ${victim.id}: hash mismatch: the entry (or the one before it) was altered\n`,
    )

    // Recomputing the victim's own hash does not help: the next link still points at the old one.
    const other = await t.createTenant()
    await audit(other.id, 'test.a')
    await audit(other.id, 'test.b')
    const [, first, second] = await chainOf(other.id)
    const forged = entryHash(await hashBefore(other.id, 2), { ...fieldsOf(first!), action: 'test.forged' })
    await owner.query(`UPDATE platform.audit_log SET action = 'test.forged', hash = $2 WHERE id = $1`, [
      first!.id,
      forged,
    ])
    expect(await verifyTenant(other.id)).toBe(
      `broken: chain ${other.id} seq 3 entry ${second!.id}: hash mismatch: the entry (or the one before it) was altered\n`,
    )
  })

  it('reports deleted entries, in the middle and at the end of a chain', async () => {
    const tenant = await t.createTenant()
    for (const n of [1, 2, 3, 4]) await audit(tenant.id, `test.entry_${n}`)
    const rows = await chainOf(tenant.id)
    await owner.query('DELETE FROM platform.audit_log WHERE id = $1', [rows[1]!.id])
    expect(await verifyTenant(tenant.id)).toBe(
      `broken: chain ${tenant.id} seq 3 entry ${rows[2]!.id}: it follows seq 1: seq 2 is missing (entries deleted)\n`,
    )

    const tail = await t.createTenant()
    await audit(tail.id, 'test.last')
    const [, last] = await chainOf(tail.id)
    await owner.query('DELETE FROM platform.audit_log WHERE id = $1', [last!.id])
    expect(await verifyTenant(tail.id)).toBe(
      `broken: chain ${tail.id} seq 2 entry (missing): the head is at seq 2 but the chain ends at seq 1: entries are missing\n`,
    )
  })

  it('counts entries written before the chain existed without failing them', async () => {
    const tenant = await t.createTenant()
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.insert(auditLog).values({
        tenantId: tenant.id,
        actorType: 'user',
        actorId: 'legacy',
        action: 'test.legacy',
        targetType: 'thing',
        targetId: 'l',
        outcome: 'success',
      }),
    )
    expect(await verifyTenant(tenant.id)).toBe(
      'ok: 1 chains, 1 entries\nnote: 1 entries predate the hash chain (no chain_seq) and cannot be verified\n',
    )
  })
})

/** The hash of the entry before `seq` in a tenant's chain. */
async function hashBefore(tenantId: string, seq: number): Promise<string> {
  return (await chainOf(tenantId)).find((r) => r.chain_seq === seq - 1)?.hash ?? GENESIS_HASH
}

function fieldsOf(row: ChainRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    impersonatorId: row.impersonator_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    requestId: row.request_id,
    ipHash: row.ip_hash,
    details: row.details,
    seq: row.chain_seq,
  }
}

describe('lyceum audit verify (command)', () => {
  const run = async (args: string[]) => {
    let output = ''
    const deps = {
      database: t.platform.database,
      tenants: t.modules.tenancy.directory,
      baseDomain: t.config.http.baseDomain,
    }
    const code = await auditCommand(deps, args, (text) => (output += text))
    return { code, output }
  }

  it('verifies one tenant by id or slug, exits 1 on a broken chain and 2 on bad usage', async () => {
    const tenant = await t.createTenant()
    await audit(tenant.id, 'test.cli')
    expect(await run(['verify', '--tenant', tenant.slug])).toEqual({ code: 0, output: 'ok: 1 chains, 2 entries\n' })
    expect(await run(['verify', '--tenant', tenant.id])).toEqual({ code: 0, output: 'ok: 1 chains, 2 entries\n' })
    const [created] = await chainOf(tenant.id)
    await owner.query(`UPDATE platform.audit_log SET outcome = 'failure' WHERE id = $1`, [created!.id])
    const broken = await run(['verify', '--tenant', tenant.slug])
    expect(broken.code).toBe(1)
    expect(broken.output).toBe(
      `broken: chain ${tenant.id} seq 1 entry ${created!.id}: hash mismatch: the entry (or the one before it) was altered\n`,
    )
    expect((await run(['verify', '--tenant', 'no-such-tenant'])).code).toBe(2)
    expect((await run(['verify', '--tenant'])).code).toBe(2)
    expect((await run(['check'])).code).toBe(2)
  })

  it('checks every chain when no tenant is given and names each broken one', async () => {
    const tenant = await t.createTenant()
    await audit(tenant.id, 'test.all')
    const [, entry] = await chainOf(tenant.id)
    await owner.query(`UPDATE platform.audit_log SET target_id = 'someone-else' WHERE id = $1`, [entry!.id])
    const { code, output } = await run(['verify'])
    expect(code).toBe(1)
    const lines = output
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('note:'))
    expect(lines).toContain(
      `broken: chain ${tenant.id} seq 2 entry ${entry!.id}: hash mismatch: the entry (or the one before it) was altered`,
    )
    for (const line of lines) expect(line).toMatch(/^broken: chain ([0-9a-f-]{36}|platform) seq \d+ entry \S+: /)
  })
})

describe('GET /v1/audit-events.csv', () => {
  const csv = (headers: Record<string, string>, query = '') =>
    t.app.inject({ method: 'GET', url: `/v1/audit-events.csv${query}`, headers })

  /** A minimal RFC 4180 reader, so the test checks quoting rather than trusting a split on commas. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = []
    let row: string[] = []
    let cell = ''
    let quoted = false
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!
      if (quoted && c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') {
        quoted = !quoted
      } else if (!quoted && c === ',') {
        row.push(cell)
        cell = ''
      } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
        row.push(cell)
        rows.push(row)
        row = []
        cell = ''
        i++
      } else {
        cell += c
      }
    }
    return rows
  }

  it('streams a header and every matching row, quoted, with formulas defused', async () => {
    const tenant = await t.createTenant()
    const headers = t.auth(await t.tokenFor(tenant.id, ['compliance']))
    await audit(tenant.id, 'test.csv', { note: 'comma, "quote"\nnewline' })
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      recordAudit(tx, systemContext(t.platform.database, tenant.id), {
        action: 'test.csv',
        targetType: 'email',
        targetId: '=HYPERLINK("http://evil")',
      }),
    )
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      recordAudit(tx, systemContext(t.platform.database, tenant.id), {
        action: 'test.csv',
        targetType: 'x',
        targetId: '@SUM(1)',
        details: {},
      }),
    )
    for (const [n, start] of [
      ['+', '+1'],
      ['-', '-1'],
      ['tab', '\tx'],
      ['cr', '\rx'],
    ] as const)
      await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
        recordAudit(tx, systemContext(t.platform.database, tenant.id), {
          action: 'test.csv_start',
          targetType: n,
          targetId: start,
        }),
      )

    const response = await csv(headers, '?action=test.csv')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-events-\d{4}-\d{2}-\d{2}\.csv"$/,
    )
    expect(response.body.endsWith('\r\n')).toBe(true)
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual([
      'id',
      'occurred_at',
      'chain_seq',
      'hash',
      'actor_type',
      'actor_id',
      'impersonator_id',
      'action',
      'target_type',
      'target_id',
      'outcome',
      'request_id',
      'ip_hash',
      'details',
    ])
    expect(rows).toHaveLength(3)
    const column = (name: string) => header!.indexOf(name)
    // Entries of one millisecond may come in either order (newest first, then by id): compare by chain position.
    const bySeq = [...rows].sort((x, y) => Number(x[column('chain_seq')]) - Number(y[column('chain_seq')]))
    expect(bySeq.map((r) => r[column('chain_seq')])).toEqual(['2', '3', '4'])
    expect(bySeq.map((r) => r[column('target_id')])).toEqual(['thing-1', '\'=HYPERLINK("http://evil")', "'@SUM(1)"])
    expect(JSON.parse(bySeq[0]![column('details')]!)).toEqual({ note: 'comma, "quote"\nnewline' })
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r[column('hash')]!))).toBe(true)
    expect(bySeq[0]![column('impersonator_id')]).toBe('')

    const starts = parseCsv((await csv(headers, '?action=test.csv_start')).body).slice(1)
    expect(starts.map((r) => r[column('target_id')]).sort()).toEqual(["'\tx", "'\rx", "'+1", "'-1"].sort())
    expect((await csv(headers, '?action=test.csv_start')).body).toContain('"\'\rx"')
  })

  it('takes the listing filters and streams more rows than one page', async () => {
    const tenant = await t.createTenant()
    const headers = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
    // One multi-row insert (entries outside the chain, as before it existed): the export does not care, and it is fast.
    const bulk = Array.from({ length: 520 }, (_, i) => ({
      tenantId: tenant.id,
      actorType: 'user',
      actorId: 'bulk',
      action: 'test.bulk',
      targetType: i % 2 ? 'odd' : 'even',
      targetId: String(i),
      outcome: 'success' as const,
    }))
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => tx.insert(auditLog).values(bulk))
    const all = parseCsv((await csv(headers, '?action=test.bulk')).body).slice(1)
    expect(all).toHaveLength(520)
    expect(new Set(all.map((r) => r[0])).size).toBe(520)
    expect(parseCsv((await csv(headers, '?action=test.bulk&targetType=odd')).body).slice(1)).toHaveLength(260)
    expect(parseCsv((await csv(headers, '?targetType=even&targetId=10')).body).slice(1)).toHaveLength(1)
    expect(parseCsv((await csv(headers, '?action=test.bulk&from=2999-01-01T00:00:00Z')).body)).toHaveLength(1)
    const bad = await csv(headers, '?from=2032-01-02T00:00:00Z&to=2032-01-01T00:00:00Z')
    expect(bad.statusCode).toBe(400)
    expect((await csv(headers, '?limit=5')).statusCode).toBe(400)
  })

  it("requires audit:read and shows only the caller tenant's rows", async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    await audit(a.id, 'test.secret_of_a')
    const learner = await csv(t.auth(await t.tokenFor(a.id, ['learner'])))
    expect(learner.statusCode).toBe(403)
    expect(learner.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'audit:read' })
    expect((await csv({ host: `${a.slug}.localhost` })).statusCode).toBe(401)
    const rowsOfB = parseCsv((await csv(t.auth(await t.tokenFor(b.id, ['compliance'])))).body).slice(1)
    expect(rowsOfB.map((r) => r[7])).toEqual(['tenant.created'])
  })
})

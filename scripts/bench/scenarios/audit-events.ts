/**
 * GET /v1/audit-events?limit=20: a tenant admin reads the first page of their audit trail
 * (src/platform/audit/audit.routes.ts). 20k entries for the tenant under load, 5k for each
 * neighbour and some platform-level entries, so RLS and the tenant index have real work to do.
 */
import { Type } from 'typebox'
import { AuditEvent } from '../../../src/platform/audit/audit.schemas.ts'
import { instant, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import type { OwnerConnection } from '../../../src/platform/db/owner-connection.ts'
import type { BenchScenario, BenchTenants } from '../scenario.ts'

const TARGET_ROWS = 20_000
const NEIGHBOUR_ROWS = 5_000
const PLATFORM_ROWS = 1_000
const LIMIT = 20

// Copied from the statement listAuditEvents (src/platform/audit/audit.queries.ts) issues for a
// first page without filters; the harness fails when the route's statement differs.
const LIST_SQL =
  `select "id", to_char("occurred_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), "actor_type", "actor_id", ` +
  `"impersonator_id", "action", "target_type", "target_id", "outcome", "request_id", "details", "ip_hash", "chain_seq", "hash" ` +
  `from "platform"."audit_log" where "platform"."audit_log"."tenant_id" = $1 ` +
  `order by "platform"."audit_log"."occurred_at" desc, "platform"."audit_log"."id" desc limit $2`

const COLUMNS = [
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'impersonatorId',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'requestId',
  'details',
  'ipHash',
  'chainSeq',
  'hash',
] as const
type Row = Record<(typeof COLUMNS)[number], unknown>

async function insertEntries(owner: OwnerConnection, tenantId: string | null, count: number): Promise<void> {
  // Spread over about a month with sub-second jitter, like a busy tenant's trail.
  await owner.query(
    `INSERT INTO platform.audit_log
       (tenant_id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome, request_id, ip_hash, details, chain_seq, hash)
     SELECT $1::uuid, now() - make_interval(secs => n * 120 + random()), 'user', 'user-' || (n % 40),
            (ARRAY['flag.overridden', 'tenant.updated', 'domain.added', 'member.invited'])[1 + n % 4],
            'flag', 'flag-' || (n % 25), (ARRAY['success', 'success', 'success', 'denied'])[1 + n % 4],
            'req-' || n, md5(n::text), jsonb_build_object('old', n % 2 = 0, 'new', n % 2 = 1, 'reason', 'bench'),
            n, encode(sha256(convert_to(n::text, 'UTF8')), 'hex')
     FROM generate_series(1, $2::int) AS n`,
    [tenantId, count],
  )
  // The chain's head at the last seeded entry, so what the app audits during the run (sign-ins,
  // members created by other scenarios) continues the chain instead of colliding with entry 1.
  // The seeded hashes are not a real chain: `lyceum audit verify` would refuse this trail.
  await owner.query(
    `INSERT INTO platform.audit_chain_heads (chain, tenant_id, seq, hash)
     VALUES (coalesce($1::text, 'platform'), $1::uuid, $2::bigint, encode(sha256(convert_to($2::text, 'UTF8')), 'hex'))
     ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
    [tenantId, count],
  )
}

export const auditEventsScenario: BenchScenario = {
  name: 'audit-events',
  path: `/v1/audit-events?limit=${LIMIT}`,
  async headers({ tokenFor }) {
    return { authorization: `Bearer ${await tokenFor(['tenant_admin'])}` }
  },
  async seed(owner: OwnerConnection, tenants: BenchTenants) {
    await insertEntries(owner, tenants.target, TARGET_ROWS)
    for (const tenant of tenants.others) await insertEntries(owner, tenant, NEIGHBOUR_ROWS)
    await insertEntries(owner, null, PLATFORM_ROWS)
    await owner.exec('ANALYZE platform.audit_log')
  },
  bare: {
    sql: LIST_SQL,
    params: (tenants) => [tenants.target, LIMIT + 1],
    body(rows) {
      // node-postgres reads bigint as a string; Drizzle's mode 'number' turns chain_seq into a number.
      const objects = rows.map(
        (row) =>
          Object.fromEntries(
            COLUMNS.map((column, i) => [column, column === 'chainSeq' && row[i] !== null ? Number(row[i]) : row[i]]),
          ) as Row,
      )
      return keysetCursor(instant, uuid).page(objects, LIMIT, (row) => [String(row.occurredAt), String(row.id)])
    },
    response: {
      200: Type.Object({
        data: Type.Array(Type.Object(AuditEvent.properties)),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
  },
}

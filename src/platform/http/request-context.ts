/**
 * Per-request context handed to services: who is calling, for which tenant, and database access
 * that is always scoped (tenant, anonymous, or the audited platform role for operators).
 */
import { AppError, commonErrors } from '../errors.ts'
import {
  anonymousScope,
  newQueryCounter,
  platformScope,
  tenantScope,
  type Database,
  type QueryCounter,
  type TransactionOptions,
  type Tx,
} from '../db/database.ts'
import type { Principal } from './principal.ts'

export interface RequestContext {
  readonly requestId: string
  readonly principal: Principal
  /** The tenant the request acts in, or null for platform-level requests. */
  readonly tenantId: string | null
  readonly ip: string
  readonly counter: QueryCounter
  /** Runs work in one transaction scoped to the request's tenant (RLS applies). */
  inTenant<T>(work: (tx: Tx) => Promise<T>, options?: ReadOptions): Promise<T>
  /** Runs work with no tenant set: tenant-owned rows are invisible. */
  inAnonymous<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /** Cross-tenant work as lyceum_platform; only operators may use it and callers audit it. */
  inPlatform<T>(work: (tx: Tx) => Promise<T>): Promise<T>
}

/**
 * For hot reads (TransactionOptions): `readOnly` (BEGIN READ ONLY; COMMIT does not hold the
 * response), `singleStatement` (COMMIT is sent with the statement: one round trip in all).
 */
export type ReadOptions = Pick<TransactionOptions, 'readOnly' | 'singleStatement'>

export interface ContextInit {
  requestId: string
  principal: Principal
  tenantId: string | null
  ip: string
  database: Database
  /** The request's counter when statements were already charged to it (the session check). */
  counter?: QueryCounter
}

export function createRequestContext(init: ContextInit): RequestContext {
  const counter = init.counter ?? newQueryCounter()
  const { database, tenantId, principal } = init
  return {
    requestId: init.requestId,
    principal,
    tenantId,
    ip: init.ip,
    counter,
    inTenant(work, options) {
      if (!tenantId) throw commonErrors.tenantRequired()
      return database.transaction(tenantScope(tenantId), work, {
        counter,
        readOnly: options?.readOnly === true,
        singleStatement: options?.singleStatement === true,
      })
    },
    inAnonymous(work) {
      return database.transaction(anonymousScope, work, { counter })
    },
    inPlatform(work) {
      if (principal.kind !== 'operator')
        throw new AppError('forbidden', 'PLATFORM_SCOPE_DENIED', 'Only platform operators may act across tenants')
      return database.transaction(platformScope, work, { counter })
    },
  }
}

/** A context for jobs and CLI commands acting on behalf of the system. */
export function systemContext(database: Database, tenantId: string | null, requestId = 'system'): RequestContext {
  return createRequestContext({
    requestId,
    principal: { kind: 'operator', operatorId: 'system', permissions: new Set() },
    tenantId,
    ip: '127.0.0.1',
    database,
  })
}

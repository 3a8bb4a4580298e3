/**
 * A seed area is one part of the development tenant's data (learning today; commerce, community
 * and the like as those modules arrive), made through the public API by the demo accounts. The
 * entry point (index.ts) runs the areas in order, each until it has succeeded once for the tenant
 * at its current version, as recorded in DATA_DIR/demo-content.json; so a restart changes nothing,
 * and bumping an area's version (or adding an area) seeds it on tenants seeded before.
 */
import type { Lyceum } from '../app.ts'
import type { SeededAccounts, SeededPerson } from './accounts.ts'
import type { ApiClient } from './api-client.ts'
import type { Sessions } from './sessions.ts'

export interface SeedContext {
  lyceum: Lyceum
  tenantId: string
  accounts: SeededAccounts
  /** The public API on the demo tenant's host. */
  api: ApiClient
  sessions: Sessions
  /** This process works jobs, so the seed may wait (bounded) for their effects. */
  jobsRunHere: boolean
}

export interface SeedArea {
  name: string
  /** Raise it when the area's content grows: tenants seeded at a lower version get the new part. */
  version: number
  /** What the area adds, for the start-up banner. */
  summary: string
  /** Where to see it on the demo host (default: the catalogue). */
  browse?: string
  /** Idempotent: what exists is read back or left alone, never made twice. */
  run(ctx: SeedContext): Promise<void>
}

/** The area cannot act as an account whose password the credentials file does not know. */
export class SeedAccountUnknown extends Error {
  constructor(email: string, file: string) {
    super(`${email} exists, but its password is not in ${file}`)
    this.name = 'SeedAccountUnknown'
  }
}

/** A demo account the area acts as: its id and its sign-in (on first use, for this run). */
export interface Actor {
  userId: string
  token: () => Promise<string>
}

export function actorOf(ctx: SeedContext, person: SeededPerson | undefined, email: string): Actor {
  const password = person?.password
  if (!person || !password) throw new SeedAccountUnknown(email, ctx.accounts.file)
  return { userId: person.userId, token: () => ctx.sessions.token({ email: person.email, password }) }
}

/**
 * The development profile's accounts: the demo tenant's administrator, a platform operator
 * (password + TOTP, like every operator) and the demo tenant's people (src/seed/content/people.ts),
 * created through the identity module's public functions. Passwords are random per data
 * directory and kept, with the operator's TOTP secret, in DATA_DIR/dev-credentials.json (mode
 * 0600) so every start can print them; an account created again on an emptied database gets its
 * stored password back. An account that exists while the file does not know its password keeps
 * its password, and the file never claims one for it.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Lyceum } from '../app.ts'
import { createDemoMember } from '../modules/identity/index.ts'
import { AppError } from '../platform/errors.ts'
import type { TenantRole } from '../platform/http/permissions.ts'
import { systemContext } from '../platform/http/request-context.ts'
import { DEMO_MEMBERS } from './content/people.ts'

export const DEV_OPERATOR_EMAIL = 'operator@lyceum.localhost'
export const DEMO_ADMIN_EMAIL = 'admin@demo.localhost'

export interface Credential {
  email: string
  password: string
}

/** What dev-credentials.json holds: only sign-ins known to work. */
export interface DevCredentials {
  admin?: Credential
  operator?: Credential & { totpSecret: string }
  /** The demo tenant's other people (instructor, learners). */
  members?: Credential[]
}

export interface DemoPerson {
  email: string
  displayName: string
  roles: readonly TenantRole[]
  /** One line for the sign-ins `serve` prints. */
  about: string
}

export interface SeededPerson extends DemoPerson {
  userId: string
  /** Undefined when the account existed before and the credentials file does not know its password. */
  password: string | undefined
}

export interface SeededAccounts {
  credentials: DevCredentials
  file: string
  admin: SeededPerson
  /** The demo people by email. */
  people: Map<string, SeededPerson>
  /** Accounts that exist but whose password the file does not know. */
  unknown: string[]
}

export const DEMO_ADMIN: DemoPerson = {
  email: DEMO_ADMIN_EMAIL,
  displayName: 'Demo Admin',
  roles: ['tenant_admin'],
  about: 'administers the demo tenant',
}

const randomPassword = () => randomBytes(15).toString('base64url')

async function readCredentials(file: string): Promise<DevCredentials> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevCredentials
  } catch {
    return {}
  }
}

async function writeCredentials(file: string, credentials: DevCredentials): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
}

/** Creates the accounts that do not exist yet and records the sign-ins it knows. */
export async function seedAccounts(lyceum: Lyceum, tenantId: string): Promise<SeededAccounts> {
  const file = path.join(lyceum.platform.config.dataDir, 'dev-credentials.json')
  const stored = await readCredentials(file)
  let changed = false
  const ensure = async (person: DemoPerson, known: string | undefined): Promise<SeededPerson> => {
    const password = known ?? randomPassword()
    const { email, displayName, roles } = person
    const { userId, created } = await createDemoMember(lyceum.platform, {
      tenantId,
      email,
      displayName,
      roles,
      password,
    })
    changed ||= created
    return { ...person, userId, password: created ? password : known }
  }
  const admin = await ensure(DEMO_ADMIN, stored.admin?.password)
  const people = new Map<string, SeededPerson>()
  for (const person of DEMO_MEMBERS)
    people.set(person.email, await ensure(person, stored.members?.find((m) => m.email === person.email)?.password))
  const { operator, created: operatorCreated } = await seedOperator(lyceum, stored.operator)
  const everyone = [admin, ...people.values()]
  const credentials: DevCredentials = {
    ...(admin.password ? { admin: { email: admin.email, password: admin.password } } : {}),
    ...(operator ? { operator } : {}),
    members: [...people.values()].flatMap((p) => (p.password ? [{ email: p.email, password: p.password }] : [])),
  }
  if (changed || operatorCreated) await writeCredentials(file, credentials)
  return {
    credentials,
    file,
    admin,
    people,
    unknown: [...everyone.filter((p) => !p.password).map((p) => p.email), ...(operator ? [] : [DEV_OPERATOR_EMAIL])],
  }
}

const operatorExists = (error: unknown) => error instanceof AppError && error.code === 'OPERATOR_EXISTS'

/** The development operator; undefined when it existed before without a stored password. */
export async function seedOperator(
  lyceum: Lyceum,
  stored: DevCredentials['operator'],
): Promise<{ operator: DevCredentials['operator']; created: boolean }> {
  const password = stored?.password ?? randomPassword()
  try {
    const created = await lyceum.modules.identity.operators.accounts.create(
      systemContext(lyceum.platform.database, null, 'seed'),
      {
        email: DEV_OPERATOR_EMAIL,
        displayName: 'Development Operator',
        password,
        ...(stored?.totpSecret ? { totpSecret: stored.totpSecret } : {}),
      },
    )
    return { operator: { email: DEV_OPERATOR_EMAIL, password, totpSecret: created.totpSecret }, created: true }
  } catch (error) {
    if (!operatorExists(error)) throw error
    return { operator: stored, created: false }
  }
}

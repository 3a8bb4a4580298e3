/**
 * The sandbox a fresh install starts with: a demo tenant and, in the development profile, real
 * accounts to explore it: the demo tenant's administrator and a platform operator (password +
 * TOTP, like every operator). Their passwords are random per data directory and kept, with the
 * operator's TOTP secret, in DATA_DIR/dev-credentials.json (mode 0600) so every start can print
 * them. Idempotent: running it again changes nothing.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Lyceum } from './app.ts'
import { createDemoAdmin } from './modules/identity/index.ts'
import { AppError } from './platform/errors.ts'
import { systemContext } from './platform/http/request-context.ts'

export const DEMO_SLUG = 'demo'

export const DEV_OPERATOR_EMAIL = 'operator@lyceum.localhost'
export const DEMO_ADMIN_EMAIL = 'admin@demo.localhost'

export interface DevCredentials {
  admin: { email: string; password: string }
  operator: { email: string; password: string; totpSecret: string }
}

export interface DemoSeed {
  tenantId: string
  created: boolean
  /** Development profile: the sign-ins of the demo accounts (undefined when they were made without this data directory). */
  credentials?: DevCredentials
  credentialsFile?: string
}

const randomPassword = () => randomBytes(15).toString('base64url')

async function readCredentials(file: string): Promise<DevCredentials | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevCredentials
  } catch {
    return undefined
  }
}

const alreadyExists = (error: unknown) => error instanceof AppError && error.code === 'OPERATOR_EXISTS'

/** The demo admin and the development operator; the stored credentials are reused for accounts created again on an emptied database. */
async function seedDevAccounts(
  lyceum: Lyceum,
  tenantId: string,
): Promise<{ credentials: DevCredentials | undefined; file: string }> {
  const { database, config } = lyceum.platform
  const file = path.join(config.dataDir, 'dev-credentials.json')
  const stored = await readCredentials(file)
  const wanted: DevCredentials = {
    admin: { email: DEMO_ADMIN_EMAIL, password: stored?.admin.password ?? randomPassword() },
    operator: {
      email: DEV_OPERATOR_EMAIL,
      password: stored?.operator.password ?? randomPassword(),
      totpSecret: stored?.operator.totpSecret ?? '',
    },
  }
  const adminCreated = await createDemoAdmin(database, {
    tenantId,
    email: wanted.admin.email,
    displayName: 'Demo Admin',
    password: wanted.admin.password,
  })
  let operatorCreated = false
  try {
    const created = await lyceum.modules.identity.operators.accounts.create(systemContext(database, null, 'seed'), {
      email: wanted.operator.email,
      displayName: 'Development Operator',
      password: wanted.operator.password,
      ...(wanted.operator.totpSecret ? { totpSecret: wanted.operator.totpSecret } : {}),
    })
    wanted.operator.totpSecret = created.totpSecret
    operatorCreated = true
  } catch (error) {
    if (!alreadyExists(error)) throw error
  }
  if (!adminCreated && !operatorCreated) return { credentials: stored, file }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(wanted, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  // An account that existed before this run kept its own credentials, which only the old file knew.
  return { credentials: (adminCreated || stored) && (operatorCreated || stored) ? wanted : undefined, file }
}

export async function seedDemo(lyceum: Lyceum): Promise<DemoSeed> {
  const tenant = await seedDemoTenant(lyceum)
  if (lyceum.platform.config.profile !== 'development') return tenant
  const { credentials, file } = await seedDevAccounts(lyceum, tenant.tenantId)
  return { ...tenant, ...(credentials ? { credentials } : {}), credentialsFile: file }
}

async function seedDemoTenant(lyceum: Lyceum): Promise<DemoSeed> {
  const { database } = lyceum.platform
  const ctx = systemContext(database, null, 'seed')
  const existing = await lyceum.modules.tenancy.directory.byHost(
    `${DEMO_SLUG}.${lyceum.platform.config.http.baseDomain}`,
  )
  if (existing && existing !== 'unknown-subdomain') return { tenantId: existing.id, created: false }
  const { tenant } = await lyceum.modules.tenancy.api.createTenant(ctx, {
    slug: DEMO_SLUG,
    name: 'Lyceum Demo Academy',
    region: 'eu',
    defaultLocale: 'en',
    currency: 'EUR',
    settings: { sandbox: true },
  })
  return { tenantId: tenant.id, created: true }
}

/** What `serve` prints about the demo accounts: who they are and the exact calls that sign them in. */
export function describeDevAccounts(seed: DemoSeed, base: string): string[] {
  if (!seed.credentialsFile) return []
  const { credentials } = seed
  if (!credentials)
    return [
      `  The demo accounts exist, but their credentials are not in ${seed.credentialsFile}.`,
      '  Create an operator with: npx lyceum operators create --email you@example.com --name "You"  (stop the server first on the embedded database)',
    ]
  const { admin, operator } = credentials
  const json = (value: object) => JSON.stringify(value)
  return [
    `  Development sign-ins (development profile only; kept in ${seed.credentialsFile}):`,
    `  Demo tenant admin  ${admin.email}  password ${admin.password}`,
    `    curl -H 'Host: demo.localhost' -H 'Content-Type: application/json' -d '${json({ email: admin.email, password: admin.password })}' ${base}/v1/auth/login`,
    `  Platform operator  ${operator.email}  password ${operator.password}  TOTP secret ${operator.totpSecret}`,
    `    CODE=$(node -e "import('otplib').then(async (o) => console.log(await o.generate({ secret: '${operator.totpSecret}' })))")`,
    `    curl -H 'Content-Type: application/json' -d '{"email":"${operator.email}","password":"${operator.password}","code":"'$CODE'"}' ${base}/v1/operator/sessions`,
  ]
}

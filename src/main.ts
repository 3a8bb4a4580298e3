/**
 * `lyceum <command>`: parse argv, load config, run one sub-command. Nothing else lives here.
 */
import { loadConfig, ConfigError, type Config } from './config.ts'
import { buildApp, openOwner, sealedColumnRegistry, type Lyceum } from './app.ts'
import { migrateToHead } from './platform/db/migrate.ts'
import { describeDemoContent, describeDevAccounts, seedDemo } from './seed/index.ts'
import { auditCommand } from './platform/audit/audit-verify.command.ts'
import { commerceCommand } from './modules/commerce/index.ts'
import { firstLine, operatorsCommand, rotateKeysCommand } from './modules/identity/index.ts'
import { reencryptKeysCommand } from './platform/crypto/reencrypt.ts'
import { systemContext } from './platform/http/request-context.ts'
import { createPostgresDatabase } from './platform/db/postgres-database.ts'
import { createLogger } from './platform/observability/logger.ts'
import { configureIpHashing } from './platform/audit/audit.ts'
import { releaseMemory } from './platform/observability/release-memory.ts'

const USAGE = `Usage: lyceum <command>

Commands:
  serve     API + worker in one process (default); migrates and seeds the demo tenant on first run
  api       HTTP API only (run "lyceum migrate" first)
  worker    job worker only
  migrate   apply database migrations
  seed      create the demo tenant (and, in development, its accounts and demo content) if missing
  doctor [--mode serve|api|worker]
            validate configuration and probe every configured dependency (api/worker: as one of several nodes)
  openapi   print the OpenAPI document as JSON
  operators create --email <email> --name "<name>"
            create a platform operator (password from LYCEUM_OPERATOR_PASSWORD or stdin; prints its TOTP URI once)
  operators disable|unlock --email <email>
            disable an operator (ending its sessions) or lift its sign-in lock
  keys rotate  rotate the access-token signing key now (the previous key verifies until the overlap ends)
  audit verify [--tenant <id|slug|platform>]  check the audit log's hash chains; prints the first broken link (exit 1)
  keys reencrypt  re-encrypt every stored secret from KEY_ENCRYPTION_KEY_PREVIOUS to KEY_ENCRYPTION_KEY (one transaction)
  commerce reconcile --tenant <id|slug> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--provider <name>] [--json]
            compare a tenant's ledger with its payment providers' movements; exit 1 on differences
`

type Command = (config: Config, args: string[]) => Promise<void>

async function startServer(
  config: Config,
  options: { migrate: boolean; seed: boolean; worker: boolean },
): Promise<void> {
  const lyceum = await buildApp(config, { migrate: options.migrate, worker: options.worker })
  installShutdown(lyceum)
  const seed = options.seed ? await seedDemo(lyceum, { jobsRunHere: options.worker }) : undefined
  // Start-up garbage (module loading, migrations, the demo seed) would otherwise stay resident;
  // collected before listening, so no request waits for the pause.
  lyceum.platform.logger.debug(releaseMemory(), 'released start-up memory')
  const address = await lyceum.app.listen({ host: config.http.host, port: config.http.port })
  const base =
    config.http.publicUrl.includes(`:${config.http.port}`) || config.profile === 'production'
      ? config.http.publicUrl
      : address
  const lines = [
    `Lyceum is running (${config.profile} profile, ${config.database.kind === 'pglite' ? `embedded PGlite at ${config.database.dataDir}` : 'PostgreSQL'})`,
    `  API           ${base}/v1`,
    `  API reference ${base}/docs`,
    `  OpenAPI       ${base}/openapi.json`,
    `  Realtime      ${base.replace(/^http/, 'ws')}/realtime (Socket.IO; AsyncAPI at ${base}/asyncapi.json)`,
    `  Health        ${base}/health/ready`,
  ]
  if (seed) {
    const port = new URL(base).port
    const site = `http://demo.localhost${port ? `:${port}` : ''}`
    lines.push(
      '',
      `Demo tenant "demo" ${seed.created ? 'created' : 'ready'}: ${site}/v1/site`,
      ...describeDemoContent(seed, site),
      ...describeDevAccounts(seed, base),
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

function installShutdown(lyceum: Lyceum): void {
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    lyceum.platform.logger.info({ signal }, 'shutting down: draining requests and jobs')
    const force = setTimeout(() => process.exit(1), 25_000)
    force.unref()
    lyceum.close().then(
      () => process.exit(0),
      (error: unknown) => {
        lyceum.platform.logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

/** PGlite loads only for commands on the embedded database (a PostgreSQL process never holds its WASM). */
const pgliteDatabase = () => import('./platform/db/pglite-database.ts')

async function openEmbedded(dataDir: string) {
  const { createPgliteDatabase, openPglite } = await pgliteDatabase()
  return createPgliteDatabase(await openPglite(dataDir))
}

/**
 * `lyceum keys reencrypt` opens the database without building the app: the app would refuse to
 * start, because the stored keys are still under the previous key-encryption key.
 */
async function reencryptCommand(config: Config): Promise<void> {
  // The run is audited, and audit entries carry a hashed IP (createPlatform does this for the app).
  configureIpHashing(config.audit.ipHashSecret)
  const database =
    config.database.kind === 'postgres'
      ? createPostgresDatabase({
          url: config.database.appUrl,
          poolMax: 1,
          platformUrl: config.database.platformUrl,
          platformPoolMax: 1,
          preparedStatements: config.database.preparedStatements,
          logger: createLogger(config.logLevel),
          applicationName: 'lyceum-keys-reencrypt',
        })
      : await openEmbedded(config.database.dataDir)
  try {
    const { previousKeyEncryptionKey: previousKey, keyEncryptionKey: currentKey } = config.signingKeys
    await reencryptKeysCommand(database, sealedColumnRegistry(), { previousKey, currentKey }, (text) =>
      process.stdout.write(text),
    )
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  } finally {
    await database.close()
  }
}

const commands: Record<string, Command> = {
  serve: (config) =>
    startServer(config, { migrate: true, seed: config.profile !== 'production', worker: config.jobsEnabled }),
  api: (config) => startServer(config, { migrate: false, seed: false, worker: false }),
  // Jobs only: no HTTP listener. Stops taking jobs on SIGTERM/SIGINT and lets running ones finish.
  async worker(config) {
    if (!config.jobsEnabled) {
      process.stderr.write(
        'JOBS_ENABLED is false, so "lyceum worker" has nothing to do; unset it (or set it to true) to run the worker.\n',
      )
      process.exit(1)
    }
    const lyceum = await buildApp(config, { migrate: false, worker: true })
    installShutdown(lyceum)
    const queues = lyceum.platform.jobs.queues().map((q) => q.definition.name)
    process.stdout.write(
      `Lyceum worker is running (${config.profile} profile, ${config.database.kind}): ${queues.length} queues: ${queues.join(', ')}\n`,
    )
    lyceum.platform.logger.debug(releaseMemory(), 'released start-up memory')
  },
  async migrate(config) {
    const pglite =
      config.database.kind === 'pglite' ? await (await pgliteDatabase()).openPglite(config.database.dataDir) : undefined
    const owner = await openOwner(config, pglite)
    try {
      await migrateToHead(owner)
      process.stdout.write('Migrations are at head.\n')
    } finally {
      await owner.close()
      await pglite?.close()
    }
  },
  async seed(config) {
    const lyceum = await buildApp(config, { migrate: true })
    try {
      // No worker here: the certificate of the demo content is issued when a worker next runs.
      const seed = await seedDemo(lyceum, { jobsRunHere: false })
      process.stdout.write(`Demo tenant ${seed.created ? 'created' : 'already present'} (${seed.tenantId}).\n`)
      const site = `http://demo.${config.http.baseDomain}:${config.http.port}`
      const lines = [...describeDemoContent(seed, site), ...describeDevAccounts(seed, config.http.publicUrl)]
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`)
      if (seed.areas.some((area) => area.outcome === 'failed')) process.exitCode = 1
    } finally {
      await lyceum.close()
    }
  },
  async operators(config, args) {
    const lyceum = await buildApp(config, { migrate: false })
    try {
      const fromEnv = process.env.LYCEUM_OPERATOR_PASSWORD
      process.exitCode = await operatorsCommand(
        lyceum.modules.identity.operators.accounts,
        systemContext(lyceum.platform.database, null, 'cli'),
        args,
        {
          // Never from argv; an interactive terminal would echo it, so only a pipe or the variable.
          readPassword: async () => fromEnv ?? (process.stdin.isTTY ? '' : firstLine(process.stdin)),
          out: (text) => process.stdout.write(text),
          err: (text) => process.stderr.write(text),
        },
      )
    } finally {
      await lyceum.close()
    }
  },
  async keys(config, args) {
    const sub = args.join(' ')
    if (sub === 'reencrypt') return reencryptCommand(config)
    if (sub !== 'rotate') {
      process.stderr.write(`Unknown keys command "${sub}"; use "lyceum keys rotate" or "lyceum keys reencrypt".\n`)
      process.exit(2)
    }
    const lyceum = await buildApp(config, { migrate: false })
    try {
      await rotateKeysCommand(lyceum.modules.identity.keys, (text) => process.stdout.write(text))
    } finally {
      await lyceum.close()
    }
  },
  async audit(config, args) {
    const lyceum = await buildApp(config, { migrate: false })
    try {
      const deps = {
        database: lyceum.platform.database,
        tenants: lyceum.modules.tenancy.directory,
        baseDomain: config.http.baseDomain,
      }
      process.exitCode = await auditCommand(deps, args, (text) => process.stdout.write(text))
    } finally {
      await lyceum.close()
    }
  },
  async commerce(config, args) {
    const lyceum = await buildApp(config, { migrate: false })
    try {
      const deps = {
        database: lyceum.platform.database,
        tenants: lyceum.modules.tenancy.directory,
        baseDomain: config.http.baseDomain,
        reconciliation: lyceum.modules.commerce.reconciliation,
      }
      process.exitCode = await commerceCommand(deps, args, (text) => process.stdout.write(text))
    } finally {
      await lyceum.close()
    }
  },
  async openapi(config) {
    // The document depends on code only: build against a throwaway in-memory database so this
    // works on a clean checkout and never touches (or migrates) the configured one.
    const hermetic: Config = {
      ...config,
      database: { kind: 'pglite', dataDir: 'memory://' },
      jobsEnabled: false,
      logLevel: 'silent',
    }
    const lyceum = await buildApp(hermetic, { migrate: true })
    try {
      process.stdout.write(`${JSON.stringify(lyceum.app.swagger(), null, 2)}\n`)
    } finally {
      await lyceum.close()
    }
  },
}

async function main(argv: string[]): Promise<void> {
  const [name = 'serve'] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE)
    return
  }
  // doctor reports configuration problems as table rows itself, so it runs before loadConfig.
  // Its probes load every client library (Redis, SMTP, PGlite, OpenTelemetry), so only for doctor.
  if (name === 'doctor') {
    const { doctorCommand } = await import('./platform/observability/doctor.ts')
    const mode = argv[1] === '--mode' ? argv[2] : 'serve'
    if (mode !== 'serve' && mode !== 'api' && mode !== 'worker') {
      process.stderr.write(`Unknown mode "${mode}"; use "lyceum doctor --mode serve|api|worker".\n`)
      process.exit(2)
    }
    process.exit(await doctorCommand(process.env, (text) => process.stdout.write(text), { mode }))
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}`)
    process.exit(2)
  }
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  await command(config, argv.slice(1))
}

await main(process.argv.slice(2))

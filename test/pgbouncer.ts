/**
 * Debian's PgBouncer (1.18) in transaction-pooling mode in front of this file's PostgreSQL
 * database, for tests of scale-out behind a pooler. Each started bouncer has its own directory,
 * port and a deliberately small server pool, so consecutive transactions of different clients
 * (and different tenants) share server connections: state that leaked out of a transaction
 * would show.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer'

export const pgbouncerAvailable = (): boolean => existsSync(PGBOUNCER_BINARY)

export interface PgBouncer {
  /** `url` with host and port replaced by the bouncer's. */
  through(url: string): string
  stop(): Promise<void>
}

/** A port nobody listens on right now (the OS picks it; a race with another process is harmless here). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Starts a bouncer forwarding every database name to the PostgreSQL server of `serverUrl`.
 * Authentication is PostgreSQL's own (trust on this machine): the bouncer trusts the users it
 * lists, which are the roles the app logs in as.
 */
export async function startPgBouncer(serverUrl: string, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const server = new URL(serverUrl)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-pgbouncer-'))
  const port = await freePort()
  const users = ['postgres', 'lyceum_app', 'lyceum_platform', decodeURIComponent(server.username)]
  await writeFile(path.join(dir, 'users.txt'), [...new Set(users)].map((user) => `"${user}" ""`).join('\n') + '\n')
  await writeFile(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 3}`,
      'max_client_conn = 500',
      // node-postgres sends these as startup parameters; PgBouncer forwards only a few it knows.
      // statement_timeout is set on the roles instead (docs/operations.md).
      'ignore_startup_parameters = extra_float_digits,statement_timeout,options',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  )
  // PgBouncer refuses to run as root; CI runs as root, so it drops to postgres there.
  const asRoot = process.getuid?.() === 0
  if (asRoot) await chmod(dir, 0o777)
  const child: ChildProcess = spawn(
    PGBOUNCER_BINARY,
    [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let attempt = 0; !(await accepting(port)); attempt++) {
    if (attempt > 100 || child.exitCode !== null) {
      child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
      throw new Error(`PgBouncer did not start on port ${port}: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    through(url) {
      const via = new URL(url)
      via.hostname = '127.0.0.1'
      via.port = String(port)
      return via.toString()
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Debian's clamd (clamav-daemon) for the scan tests, with a signature database of one signature:
 * EICAR's, written here as an .ndb (no freshclam, no download). clamd loads it in well under a
 * second, so each test file that needs a scanner starts its own daemon (own directory, unix
 * socket and TCP port) and stops it afterwards; the rest of the suite never pays for it.
 * `.ci/run` installs clamav-daemon; under CI a missing clamd fails the scan tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createClamdScanner } from '../src/platform/scan/index.ts'
import { freePort } from './pgbouncer.ts'

/** Debian's clamd; TEST_CLAMD_BINARY points elsewhere (or at nothing, to see the tests skip or, under CI, fail). */
export const CLAMD_BINARY = process.env.TEST_CLAMD_BINARY || '/usr/sbin/clamd'

export const clamdAvailable = (): boolean => existsSync(CLAMD_BINARY)

/**
 * The 68-byte EICAR anti-virus test file, assembled at run time so no source file in the
 * repository is itself the test file (a developer's own virus scanner would quarantine it).
 */
export const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''),
  'latin1',
)

/** ClamAV suffixes signatures from an unsigned (local) database with `.UNOFFICIAL`. */
export const EICAR_SIGNATURE = 'Eicar-Test-Signature'

export interface TestClamd {
  /** unix:///…/clamd.sock */
  socketUrl: string
  /** tcp://127.0.0.1:port */
  tcpUrl: string
  /** clamd's own StreamMaxLength. */
  streamMaxBytes: number
  /** Milliseconds from spawn to the first answered VERSION. */
  startupMs: number
  stop(): Promise<void>
}

/** How long clamd may take to load its one-signature database before the helper gives up. */
const STARTUP_LIMIT_MS = 30_000

export async function startClamd(options: { streamMaxBytes?: number } = {}): Promise<TestClamd> {
  const streamMaxBytes = options.streamMaxBytes ?? 1024 * 1024
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-clamd-'))
  const database = path.join(dir, 'db')
  const socket = path.join(dir, 'clamd.sock')
  const port = await freePort()
  await import('node:fs/promises').then((fs) => fs.mkdir(database))
  // name:target type (0 = any file):offset:hex body. Offset 0: the file starts with EICAR, as the
  // standard says; inside an archive clamd scans each extracted entry, so it matches there too.
  await writeFile(path.join(database, 'lyceum-test.ndb'), `${EICAR_SIGNATURE}:0:0:${EICAR.toString('hex')}\n`)
  await writeFile(
    path.join(dir, 'clamd.conf'),
    [
      `DatabaseDirectory ${database}`,
      `LocalSocket ${socket}`,
      'LocalSocketMode 600',
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      'Foreground yes',
      `StreamMaxLength ${streamMaxBytes}`,
      'ScanArchive yes',
      'MaxThreads 2',
      `LogFile ${path.join(dir, 'clamd.log')}`,
      // No self-check reloads and no signature-age nagging during a test run.
      'SelfCheck 0',
      '',
    ].join('\n'),
  )
  if (process.getuid?.() === 0) await chmod(dir, 0o700)
  const started = performance.now()
  const child: ChildProcess = spawn(CLAMD_BINARY, ['--config-file', path.join(dir, 'clamd.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const probe = createClamdScanner({ address: { kind: 'unix', path: socket }, timeoutMs: 2_000, streamMaxBytes: 1 })
  const deadline = Date.now() + STARTUP_LIMIT_MS
  for (;;) {
    if (
      existsSync(socket) &&
      (await probe.version().then(
        () => true,
        () => false,
      ))
    )
      break
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      const log = await readFile(path.join(dir, 'clamd.log'), 'utf8').catch(() => '')
      await rm(dir, { recursive: true, force: true })
      throw new Error(`clamd did not start: ${stderr}\n${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return {
    socketUrl: `unix://${socket}`,
    tcpUrl: `tcp://127.0.0.1:${port}`,
    streamMaxBytes,
    startupMs: Math.round(performance.now() - started),
    async stop() {
      child.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}

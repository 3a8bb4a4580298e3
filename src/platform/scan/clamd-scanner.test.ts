/**
 * The clamd adapter against a real clamd (Debian's clamav-daemon, started per file by
 * test/clamd.ts with a one-signature EICAR database), plus the failure modes a real daemon cannot
 * be made to produce on demand (silence, garbage), against small fake servers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clamdAvailable,
  CLAMD_BINARY,
  EICAR,
  EICAR_SIGNATURE,
  startClamd,
  type TestClamd,
} from '../../../test/clamd.ts'
import { freePort } from '../../../test/pgbouncer.ts'
import { buildZip } from '../../../test/zip.ts'
import { probeClamd } from '../observability/doctor-probes.ts'
import { inspectUpload } from '../uploads/index.ts'
import { epubEntries } from '../uploads/testing.ts'
import {
  createClamdScanner,
  parseClamdUrl,
  parseScanReply,
  scannerCheck,
  ScannerUnavailableError,
  ScanTooLargeError,
  type Scanner,
} from './index.ts'

if (!clamdAvailable() && process.env.CI)
  throw new Error(`the scan tests need ${CLAMD_BINARY} under CI (.ci/run installs Debian's clamav-daemon)`)
if (!clamdAvailable())
  console.warn(
    `\n*** src/platform/scan/clamd-scanner.test.ts: real-clamd tests SKIPPED, ${CLAMD_BINARY} is missing (apt-get install clamav-daemon) ***\n`,
  )

const scannerAt = (url: string, overrides: { timeoutMs?: number; streamMaxBytes?: number } = {}): Scanner =>
  createClamdScanner({
    address: parseClamdUrl(url),
    timeoutMs: overrides.timeoutMs ?? 30_000,
    streamMaxBytes: overrides.streamMaxBytes ?? 64 * 1024 * 1024,
  })

describe.skipIf(!clamdAvailable())('clamd over its socket and TCP (real clamd, EICAR-only database)', () => {
  let clamd: TestClamd
  let tmp: string
  beforeAll(async () => {
    clamd = await startClamd({ streamMaxBytes: 1024 * 1024 })
    console.info(`clamd answered ${clamd.startupMs} ms after spawn`)
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lyceum-scan-'))
  })
  afterAll(async () => {
    await clamd?.stop()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('finds EICAR in a stream over the unix socket', async () => {
    const verdict = await scannerAt(clamd.socketUrl).scan(Readable.from([EICAR]))
    expect(verdict.verdict).toBe('infected')
    expect(verdict.verdict === 'infected' && verdict.signature).toMatch(new RegExp(`^${EICAR_SIGNATURE}`))
  })

  it('calls a clean file clean over TCP, read from its path', async () => {
    const file = path.join(tmp, 'notes.txt')
    await writeFile(file, 'Lecture notes: nothing to see here.\n'.repeat(2000))
    await expect(scannerAt(clamd.tcpUrl).scan(file)).resolves.toEqual({ verdict: 'clean' })
  })

  it('finds EICAR inside a zip (deflated) and inside an EPUB-shaped archive (ScanArchive)', async () => {
    const zip = buildZip([
      { name: 'readme.txt', data: 'hello' },
      { name: 'payload/eicar.com', data: EICAR },
    ])
    const epub = buildZip([
      { name: 'mimetype', data: 'application/epub+zip', method: 'store' },
      { name: 'META-INF/container.xml', data: '<container/>' },
      { name: 'OEBPS/chapter1.xhtml', data: EICAR },
    ])
    const scanner = scannerAt(clamd.socketUrl)
    for (const archive of [zip, epub]) {
      const verdict = await scanner.scan(Readable.from([archive]))
      expect(verdict).toMatchObject({ verdict: 'infected', signature: expect.stringMatching(/^Eicar-Test-Signature/) })
    }
  })

  it('finds EICAR in an EPUB that passes every upload inspection (the scan is a layer of its own)', async () => {
    const file = path.join(tmp, 'infected.epub')
    await writeFile(file, buildZip([...epubEntries(), { name: 'OEBPS/extra.xhtml', data: EICAR }]))
    await expect(inspectUpload(file, { use: 'ebook', filename: 'novel.epub' })).resolves.toMatchObject({
      type: { ext: 'epub' },
    })
    expect(await scannerAt(clamd.socketUrl).scan(file)).toMatchObject({ verdict: 'infected' })
  })

  it('streams large content in bounded chunks, many small reads included', async () => {
    const pieces = Array.from({ length: 3000 }, (_, i) => Buffer.from(`line ${i} of a clean transcript\n`))
    await expect(scannerAt(clamd.socketUrl).scan(Readable.from(pieces))).resolves.toEqual({ verdict: 'clean' })
  })

  it("gives no verdict for content over clamd's own StreamMaxLength", async () => {
    // clamd answers "INSTREAM size limit exceeded" and closes at once; when that reply is read
    // before the next chunk meets the closed socket it is ScanTooLargeError, otherwise the broken
    // connection is "unavailable". Either way never a verdict. CLAMD_STREAM_MAX_MB at or below
    // StreamMaxLength makes the refusal deterministic (next test).
    const big = Buffer.alloc(clamd.streamMaxBytes + 256 * 1024, 0x61)
    const error = await scannerAt(clamd.socketUrl)
      .scan(Readable.from([big]))
      .catch((e: unknown) => e)
    expect(error instanceof ScanTooLargeError || error instanceof ScannerUnavailableError).toBe(true)
  })

  it('refuses content over its own bound before clamd sees all of it', async () => {
    const scanner = scannerAt(clamd.socketUrl, { streamMaxBytes: 1000 })
    const error = await scanner.scan(Readable.from([Buffer.alloc(600), Buffer.alloc(600)])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScanTooLargeError)
    expect((error as ScanTooLargeError).limitBytes).toBe(1000)
  })

  it("rejects with the input's own error (a missing file) at once, not as a scanner outage", async () => {
    const error = await scannerAt(clamd.socketUrl)
      .scan(path.join(tmp, 'missing.pdf'))
      .catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(ScannerUnavailableError)
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT')
  })

  it('answers VERSION for readiness and for lyceum doctor', async () => {
    const check = await scannerCheck(scannerAt(clamd.tcpUrl))
    expect(check).toMatchObject({ status: 'ok', detail: expect.stringMatching(/ClamAV 1\./) })
    expect(await probeClamd(clamd.socketUrl, 5_000)).toMatchObject({
      dependency: 'clamd',
      status: 'OK',
      detail: expect.stringMatching(/^clamd at unix:.*ClamAV 1\./),
    })
  })

  it('reports a stopped clamd as unavailable, never as clean', async () => {
    const second = await startClamd()
    const scanner = scannerAt(second.socketUrl)
    await expect(scanner.scan(Readable.from(['hello']))).resolves.toEqual({ verdict: 'clean' })
    await second.stop()
    const error = await scanner.scan(Readable.from(['hello'])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerUnavailableError)
    expect((error as ScannerUnavailableError).reason).toBe('connect')
    expect(await scannerCheck(scanner)).toMatchObject({ status: 'failing' })
  })
})

describe('clamd failures that give no verdict', () => {
  const servers: Server[] = []
  const sockets: Socket[] = []
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  })
  async function fakeClamd(onConnection: (socket: Socket) => void): Promise<string> {
    const server = createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => {})
      onConnection(socket)
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    return `tcp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }

  it('is unavailable (connect) when nothing listens, on TCP and on a missing socket', async () => {
    for (const url of [`tcp://127.0.0.1:${await freePort()}`, 'unix:///nonexistent/lyceum/clamd.ctl']) {
      const error = await scannerAt(url)
        .scan(Readable.from(['x']))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ScannerUnavailableError)
      expect((error as ScannerUnavailableError).reason).toBe('connect')
    }
  })

  it('is unavailable (timeout) when clamd accepts and never answers', async () => {
    const url = await fakeClamd((socket) => socket.resume())
    const error = await scannerAt(url, { timeoutMs: 300 })
      .scan(Readable.from(['x']))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerUnavailableError)
    expect((error as ScannerUnavailableError).reason).toBe('timeout')
  })

  it('is unavailable (timeout) when the input stalls past the deadline', async () => {
    const url = await fakeClamd((socket) => socket.resume())
    const stalled = new Readable({ read() {} })
    stalled.push('first bytes, then nothing')
    const error = await scannerAt(url, { timeoutMs: 300 })
      .scan(stalled)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerUnavailableError)
    expect((error as ScannerUnavailableError).reason).toBe('timeout')
  })

  it("rejects with the caller's reason when the caller cancels", async () => {
    const url = await fakeClamd((socket) => socket.resume())
    const controller = new AbortController()
    const scanning = scannerAt(url).scan(Readable.from(['x']), { signal: controller.signal })
    controller.abort(new Error('upload cancelled'))
    await expect(scanning).rejects.toThrow('upload cancelled')
  })

  it('is unavailable (reset) when clamd closes without a reply, and (protocol) on garbage', async () => {
    const closing = await fakeClamd((socket) => socket.once('data', () => socket.destroy()))
    const reset = await scannerAt(closing)
      .scan(Readable.from(['x']))
      .catch((e: unknown) => e)
    expect(reset).toBeInstanceOf(ScannerUnavailableError)
    expect(['reset', 'connect']).toContain((reset as ScannerUnavailableError).reason)
    const garbage = await fakeClamd((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\0')))
    const protocol = await scannerAt(garbage)
      .scan(Readable.from(['x']))
      .catch((e: unknown) => e)
    expect(protocol).toBeInstanceOf(ScannerUnavailableError)
    expect((protocol as ScannerUnavailableError).reason).toBe('protocol')
  })

  it('parses the replies clamd gives', () => {
    expect(parseScanReply('stream: OK')).toEqual({ verdict: 'clean' })
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({
      verdict: 'infected',
      signature: 'Win.Test.EICAR_HDB-1',
    })
    expect(() => parseScanReply('INSTREAM size limit exceeded. ERROR')).toThrow(ScanTooLargeError)
    expect(() => parseScanReply("Can't allocate memory ERROR")).toThrow(ScannerUnavailableError)
    expect(() => parseScanReply('')).toThrow(ScannerUnavailableError)
  })

  it('accepts unix and tcp CLAMD_URLs only', () => {
    expect(parseClamdUrl('unix:///run/clamav/clamd.ctl')).toEqual({ kind: 'unix', path: '/run/clamav/clamd.ctl' })
    expect(parseClamdUrl('tcp://127.0.0.1:3310')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 3310 })
    expect(() => parseClamdUrl('http://127.0.0.1:3310')).toThrow(/expected/)
    expect(() => parseClamdUrl('unix://relative.sock')).toThrow(/absolute/)
  })

  it('reports no scanner as disabled with the unscanned warning', async () => {
    expect(await scannerCheck(undefined)).toMatchObject({
      status: 'disabled',
      detail: expect.stringMatching(/unscanned/),
    })
  })
})

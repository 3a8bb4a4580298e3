/**
 * The malware scan for real: Debian's clamd with its EICAR-only database, reached through a TCP
 * relay this file can cut (a scanner outage). EICAR inside an EPUB and a DOCX is quarantined and
 * never downloadable; an outage keeps an asset pending and it turns clean once clamd is back.
 */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { CLAMD_BINARY, clamdAvailable, EICAR, startClamd, type TestClamd } from '../../../test/clamd.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { tenantPrefix } from '../../platform/storage/index.ts'
import { epubEntries, ooxmlEntries, tinyPng, zipOf } from '../../platform/uploads/testing.ts'
import { assetsClient, sha256 } from './testing.ts'

if (!clamdAvailable() && process.env.CI)
  throw new Error(`the scan tests need ${CLAMD_BINARY} under CI (.ci/run installs Debian's clamav-daemon)`)
if (!clamdAvailable()) console.warn(`*** ${CLAMD_BINARY} missing: the asset scan tests are skipped ***`)

/** A TCP relay to clamd; while down it cuts every connection, as a crashed or unreachable clamd would. */
async function relay(target: { host: string; port: number }) {
  let up = true
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (!up) return client.destroy()
    const upstream = net.connect(target)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const end = () => (client.destroy(), upstream.destroy())
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `tcp://127.0.0.1:${port}`,
    down() {
      up = false
      for (const socket of sockets) socket.destroy()
    },
    up() {
      up = true
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe.skipIf(!clamdAvailable())('asset scans with a real clamd', () => {
  let clamd: TestClamd
  let proxy: Awaited<ReturnType<typeof relay>>
  let t: TestApp
  let client: ReturnType<typeof assetsClient>
  let tenantId: string
  let instructor: string
  let admin: string

  beforeAll(async () => {
    clamd = await startClamd()
    const [host, port] = clamd.tcpUrl.slice('tcp://'.length).split(':') as [string, string]
    proxy = await relay({ host, port: Number(port) })
    t = await buildTestApp({
      worker: true,
      env: { CLAMD_URL: proxy.url, CLAMD_STREAM_MAX_MB: '1' },
      assetScanRetry: { retryLimit: 100, retryDelaySeconds: 1, retryDelayMaxSeconds: 1 },
    })
    client = assetsClient(t)
    tenantId = (await t.createTenant()).id
    instructor = await t.tokenFor(tenantId, ['instructor'])
    admin = await t.tokenFor(tenantId, ['tenant_admin'])
  })
  afterAll(async () => {
    await t?.close()
    await proxy?.close()
    await clamd?.stop()
  })

  it('scans a clean PNG and delivers it', async () => {
    const png = tinyPng()
    const uploaded = (await client.upload(instructor, png, { use: 'image', filename: 'clean.png' })).json()
    expect(uploaded.state).toBe('scanning')
    expect((await client.downloadUrl(instructor, uploaded.id)).json()).toMatchObject({ code: 'ASSET_PENDING' })
    const clean = await client.waitFor(instructor, uploaded.id, ['clean', 'infected'])
    expect(clean).toMatchObject({ state: 'clean', reason: null, sha256: sha256(png), scanAttempts: 1 })
    expect((await client.downloadUrl(instructor, uploaded.id)).statusCode).toBe(200)
  })

  it('refuses EICAR on its own (no recognised type), and quarantines it inside an EPUB and a DOCX', async () => {
    const bare = await client.upload(instructor, EICAR, { use: 'document', filename: 'eicar.pdf' })
    expect(bare.statusCode).toBe(415)
    const epub = zipOf([...epubEntries(), { name: 'OEBPS/eicar.txt', data: EICAR }])
    const docx = zipOf([...ooxmlEntries('docx'), { name: 'word/media/eicar.bin', data: EICAR }])
    for (const [bytes, use, filename] of [
      [epub, 'ebook', 'book.epub'],
      [docx, 'document', 'notes.docx'],
    ] as const) {
      const response = await client.upload(instructor, bytes, { use, filename })
      expect(response.statusCode).toBe(201)
      const asset = await client.waitFor(instructor, response.json().id, ['clean', 'infected'])
      expect(asset).toMatchObject({ state: 'infected', reason: 'malware', deliverable: false })
      // Never downloadable, by its uploader or an administrator.
      for (const token of [instructor, admin]) {
        const url = await client.downloadUrl(token, asset.id)
        expect(url.statusCode).toBe(403)
        expect(url.json()).toMatchObject({ code: 'ASSET_QUARANTINED' })
      }
      // The bytes leave the assets namespace for the quarantine (right after the verdict commits).
      const prefix = tenantPrefix(tenantId)
      await waitUntil('the quarantine move', async () => t.platform.storage.head(`${prefix}quarantine/${asset.id}`))
      expect(await t.platform.storage.head(`${prefix}assets/${asset.id}/original`)).toBeUndefined()
    }
    const list = (await client.get(admin, '/v1/assets/quarantine')).json().data
    expect(list).toHaveLength(2)
    expect(list[0].signature).toMatch(/Eicar-Test-Signature/)
    expect((await client.get(instructor, '/v1/assets/quarantine')).statusCode).toBe(403)
    const audit = (await client.get(admin, '/v1/audit-events?action=asset.quarantined')).json()
    expect(audit.data.filter((e: { action: string }) => e.action === 'asset.quarantined')).toHaveLength(2)
  })

  it('keeps an asset pending while the scanner is down, and clean once it is back', async () => {
    proxy.down()
    const png = tinyPng({ text: 'outage' })
    const uploaded = (await client.upload(instructor, png, { use: 'image', filename: 'outage.png' })).json()
    // Two attempts failed on the outage (a retry happened), and the asset is still pending.
    const failing = await waitUntil('two scans failed on the outage', async () => {
      const asset = await client.status(instructor, uploaded.id)
      return asset.reason?.startsWith('scanner_unavailable') && asset.scanAttempts >= 2 ? asset : undefined
    })
    expect(failing).toMatchObject({ state: 'scanning', deliverable: false })
    expect((await client.downloadUrl(instructor, uploaded.id)).json()).toMatchObject({ code: 'ASSET_PENDING' })
    proxy.up()
    const clean = await client.waitFor(instructor, uploaded.id, ['clean'])
    expect(clean).toMatchObject({ reason: null, sha256: sha256(png) })
  })
})

/**
 * One-request uploads without a scanner (the test profile runs none here): type from the bytes,
 * refusals, the 413 that leaves nothing behind, the quota, and the unscanned state that only
 * development and tests may deliver.
 */
import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantPrefix } from '../../platform/storage/index.ts'
import { tinyPdf, tinyPng } from '../../platform/uploads/testing.ts'
import { assetsClient, sha256 } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof assetsClient>
let tenantId: string
let instructor: string
let admin: string
let learner: string

beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { ASSET_SIMPLE_UPLOAD_MAX_MB: '1' } })
  client = assetsClient(t)
  tenantId = (await t.createTenant()).id
  instructor = await t.tokenFor(tenantId, ['instructor'])
  admin = await t.tokenFor(tenantId, ['tenant_admin'])
  learner = await t.tokenFor(tenantId, ['learner'])
})
afterAll(async () => t?.close())

async function storedKeys(prefix: string): Promise<string[]> {
  return (await t.platform.storage.list(`${tenantPrefix(tenantId)}${prefix}`)).objects.map((o) => o.key)
}

describe('POST /v1/assets', () => {
  it('stores a PNG with its SHA-256 and the type from its bytes, whatever the client says', async () => {
    const png = tinyPng()
    const response = await client.upload(
      instructor,
      png,
      { use: 'image', filename: 'diagram' },
      { 'content-type': 'application/pdf' },
    )
    expect(response.statusCode).toBe(201)
    const asset = response.json()
    expect(asset).toMatchObject({ mime: 'image/png', filename: 'diagram.png', size: png.length, sha256: sha256(png) })
    // No scanner here: unscanned, loudly, and deliverable only outside production.
    const settled = await client.waitFor(instructor, asset.id, ['unscanned'])
    expect(settled).toMatchObject({ reason: 'no_scanner', deliverable: true })
    const url = await client.downloadUrl(instructor, asset.id)
    expect(url.statusCode).toBe(200)
    const file = await client.get(instructor, url.json().url)
    expect(file.statusCode).toBe(200)
    expect(sha256(file.rawPayload)).toBe(sha256(png))
    expect(file.headers['content-type']).toBe('image/png')
  })

  it('refuses a PNG renamed .pdf, as a document and as an image, and keeps nothing', async () => {
    const before = await storedKeys('assets/')
    const asDocument = await client.upload(instructor, tinyPng(), { use: 'document', filename: 'slides.pdf' })
    expect(asDocument.statusCode).toBe(415)
    expect(asDocument.json()).toMatchObject({ code: 'ASSET_TYPE_NOT_ALLOWED', reason: 'type_not_allowed' })
    const asImage = await client.upload(instructor, tinyPng(), { use: 'image', filename: 'slides.pdf' })
    expect(asImage.statusCode).toBe(422)
    expect(asImage.json()).toMatchObject({ code: 'ASSET_REFUSED', reason: 'name_contradicts_content' })
    expect(await storedKeys('assets/')).toEqual(before)
  })

  it('answers an oversized upload 413 and leaves no object, no row and no temporary file', async () => {
    const tenant = (await t.createTenant()).id
    const token = await t.tokenFor(tenant, ['tenant_admin'])
    const big = Buffer.concat([await tinyPdf(), Buffer.alloc(1024 * 1024 + 1)])
    const response = await client.upload(token, big, { use: 'document', filename: 'big.pdf' })
    expect(response.statusCode).toBe(413)
    expect(response.json()).toMatchObject({ code: 'ASSET_TOO_LARGE', status: 413 })
    // Also when the length is not declared up front (chunked): stopped at the limit.
    const chunked = await t.app.inject({
      method: 'POST',
      url: '/v1/assets?use=document&filename=big.pdf',
      headers: { ...t.auth(token), 'content-type': 'application/pdf' },
      payload: Readable.from([big.subarray(0, 4096), big.subarray(4096)]),
    })
    expect(chunked.statusCode).toBe(413)
    const list = await client.get(token, '/v1/assets')
    expect(list.json().data).toEqual([])
    expect((await t.platform.storage.list(tenantPrefix(tenant))).objects).toEqual([])
    const work = path.join(t.config.storage.dir, '.uploads', 'work')
    expect(await readdir(work)).toEqual([])
  })

  it('enforces the tenant quota an operator sets', async () => {
    const tenant = (await t.createTenant()).id
    const token = await t.tokenFor(tenant, ['tenant_admin'])
    const png = tinyPng()
    const limits = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${tenant}/asset-limits`,
      headers: t.auth(t.operatorToken),
      payload: { maxUploadBytes: null, quotaBytes: png.length + 10 },
    })
    expect(limits.statusCode).toBe(200)
    const unknown = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${randomUUID()}/asset-limits`,
      headers: t.auth(t.operatorToken),
      payload: { maxUploadBytes: null, quotaBytes: 10 },
    })
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'TENANT_NOT_FOUND'])
    expect((await client.upload(token, png, { use: 'image', filename: 'a.png' })).statusCode).toBe(201)
    const over = await client.upload(token, png, { use: 'image', filename: 'b.png' })
    expect(over.statusCode).toBe(413)
    expect(over.json()).toMatchObject({ code: 'ASSET_QUOTA_EXCEEDED' })
    const usage = (await client.get(token, '/v1/assets/storage-usage')).json()
    expect(usage).toMatchObject({ usedBytes: png.length, quotaBytes: png.length + 10 })
    expect((await t.platform.storage.list(`${tenantPrefix(tenant)}assets/`)).objects).toHaveLength(1)
  })

  it('lets only uploaders in, and shows each instructor their own', async () => {
    expect((await client.upload(learner, tinyPng(), { use: 'image', filename: 'x.png' })).statusCode).toBe(403)
    const other = await t.tokenFor(tenantId, ['instructor'])
    const mine = (await client.upload(instructor, tinyPng(), { use: 'image', filename: 'mine.png' })).json()
    expect((await client.get(other, `/v1/assets/${mine.id}`)).statusCode).toBe(404)
    expect((await client.get(other, '/v1/assets')).json().data).toEqual([])
    const found = (await client.get(admin, '/v1/assets?q=MINE&use=image')).json().data
    expect(found.map((a: { id: string }) => a.id)).toContain(mine.id)
    const stranger = await t.tokenFor((await t.createTenant()).id, ['tenant_admin'])
    expect((await client.get(stranger, `/v1/assets/${mine.id}`)).statusCode).toBe(404)
  })
})

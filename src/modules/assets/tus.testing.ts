/**
 * The resumable-upload scenarios, run by tus.local.test.ts on tus's file store (its S3 store is
 * not covered: s3rver refuses a method tus's S3 store uses on PATCH): an upload interrupted mid-PATCH and resumed from the offset the
 * server reports ends with the checksum of the whole file; every tus request is authorised; the
 * ceiling is checked on creation; refused bytes end the asset rejected.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { tinyPng } from '../../platform/uploads/testing.ts'
import { assetsClient, sha256, tusClient } from './testing.ts'

/** Writes `bytes` as the start of a PATCH declaring `declared` bytes, then cuts the connection. */
function interruptedPatch(origin: string, location: string, token: string, bytes: Buffer, declared: number) {
  return new Promise<void>((resolve) => {
    const request = http.request(`${origin}${location}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(declared),
      },
    })
    request.on('error', () => resolve())
    request.on('response', () => resolve())
    // Half-close after the bytes: the server reads them all, then sees the body end early.
    request.write(bytes, () => request.socket?.end())
  })
}

export function describeResumableUploads(name: string, env: () => Record<string, string>) {
  describe(`resumable uploads (${name})`, () => {
    let t: TestApp
    let origin: string
    let tenantId: string
    let instructor: string

    beforeAll(async () => {
      t = await buildTestApp({ worker: true, env: { ASSET_MAX_UPLOAD_MB: '2', ...env() } })
      origin = await t.app.listen({ port: 0, host: '127.0.0.1' })
      tenantId = (await t.createTenant()).id
      instructor = await t.tokenFor(tenantId, ['instructor'])
    })
    afterAll(async () => t?.close())

    it('resumes an interrupted upload from the offset the server reports and keeps its checksum', async () => {
      const file = tinyPng({ text: 'lecture '.repeat(40_000) })
      const tus = tusClient(origin, instructor)
      const created = await tus.create(file.length, { filename: 'lecture.png', use: 'image' })
      expect(created.status).toBe(201)
      const location = created.headers.get('location')!
      expect(location).toMatch(/^\/v1\/asset-uploads\/[0-9a-f-]{36}$/)
      const assetId = location.split('/').pop()!
      const half = Math.floor(file.length / 2)
      await interruptedPatch(origin, location, instructor, file.subarray(0, half), file.length)
      const { offset } = await waitUntil('the interrupted bytes to be kept', async () => {
        const head = await tus.offset(location)
        return head.status === 200 && head.offset > 0 ? head : undefined
      })
      expect(offset).toBeLessThanOrEqual(half)
      const rest = await tus.patch(location, offset, file.subarray(offset))
      expect(rest.status).toBe(204)
      expect(Number(rest.headers.get('upload-offset'))).toBe(file.length)
      const client = assetsClient(t)
      const asset = await client.waitFor(instructor, assetId, ['unscanned', 'clean', 'rejected'])
      expect(asset).toMatchObject({ state: 'unscanned', sha256: sha256(file), size: file.length, mime: 'image/png' })
      const url = (await client.downloadUrl(instructor, assetId)).json().url
      expect(sha256((await client.get(instructor, url)).rawPayload)).toBe(sha256(file))
    })

    it('authorises every tus request: only the creator continues an upload', async () => {
      const tus = tusClient(origin, instructor)
      const created = await tus.create(100, { filename: 'x.png', use: 'image' })
      const location = created.headers.get('location')!
      const other = tusClient(origin, await t.tokenFor(tenantId, ['instructor']))
      const foreign = tusClient(origin, await t.tokenFor((await t.createTenant()).id, ['tenant_admin']))
      for (const stranger of [other, foreign]) {
        expect((await stranger.offset(location)).status).toBe(404)
        const patch = await stranger.patch(location, 0, Buffer.alloc(10))
        expect(patch.status).toBe(404)
        expect(await patch.json()).toMatchObject({ code: 'ASSET_UPLOAD_NOT_FOUND' })
      }
      const learner = tusClient(origin, await t.tokenFor(tenantId, ['learner']))
      expect((await learner.create(10, { filename: 'x.png', use: 'image' })).status).toBe(403)
      const anonymous = await fetch(`${origin}${location}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } })
      expect(anonymous.status).toBe(401)
      expect((await tus.offset(location)).offset).toBe(0)
    })

    it("acts only on the upload the caller owns, whatever the URL's query names", async () => {
      const victim = tusClient(origin, await t.tokenFor(tenantId, ['instructor']))
      const theirs = (await victim.create(100, { filename: 'v.png', use: 'image' })).headers.get('location')!
      const tus = tusClient(origin, instructor)
      const mine = (await tus.create(100, { filename: 'm.png', use: 'image' })).headers.get('location')!
      // tus names the upload by the URL's last segment, query included: it must never see this one.
      const aimed = `${mine}?x=/${theirs.split('/').pop()}`
      expect((await tus.patch(aimed, 0, Buffer.alloc(10, 1))).status).toBe(204)
      expect((await victim.offset(theirs)).offset).toBe(0)
      expect((await tus.offset(mine)).offset).toBe(10)
      const removed = await fetch(`${origin}${aimed}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${instructor}`, 'tus-resumable': '1.0.0' },
      })
      expect(removed.status).toBe(204)
      expect((await victim.offset(theirs)).status).toBe(200)
      expect((await tus.offset(mine)).status).toBe(404)
    })

    it('keeps no row (and no reserved quota) when tus refuses a creation our checks let through', async () => {
      const tus = tusClient(origin, instructor)
      const concat = await fetch(`${origin}/v1/asset-uploads`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${instructor}`,
          'tus-resumable': '1.0.0',
          'upload-length': '10',
          'upload-metadata': `filename ${Buffer.from('a.png').toString('base64')},use aW1hZ2U=`,
          'upload-concat': 'partial',
        },
      })
      expect([concat.status, ((await concat.json()) as { code: string }).code]).toEqual([400, 'UPLOAD_REQUEST_INVALID'])
      const before = await t.app.inject({ method: 'GET', url: '/v1/assets?limit=100', headers: t.auth(instructor) })
      // Duplicate metadata keys pass our parser and are refused by tus's own validator.
      const duplicate = await fetch(`${origin}/v1/asset-uploads`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${instructor}`,
          'tus-resumable': '1.0.0',
          'upload-length': '10',
          'upload-metadata': `filename ${Buffer.from('a.png').toString('base64')},use aW1hZ2U=,use aW1hZ2U=`,
        },
      })
      expect(duplicate.status).toBeGreaterThanOrEqual(400)
      expect(duplicate.status).toBeLessThan(500)
      const after = await t.app.inject({ method: 'GET', url: '/v1/assets?limit=100', headers: t.auth(instructor) })
      expect((after.json() as { data: unknown[] }).data).toHaveLength(
        (before.json() as { data: unknown[] }).data.length,
      )
      expect((await tus.create(10, { filename: 'b.png', use: 'image' })).status).toBe(201)
    })

    it('refuses a declared length over the ceiling with 413 and keeps no row', async () => {
      const tus = tusClient(origin, instructor)
      const response = await tus.create(2 * 1024 * 1024 + 1, { filename: 'big.png', use: 'image' })
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ code: 'ASSET_TOO_LARGE' })
      const noLength = await fetch(`${origin}/v1/asset-uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${instructor}`, 'tus-resumable': '1.0.0', 'upload-defer-length': '1' },
      })
      expect(noLength.status).toBe(400)
      const rows = (await assetsClient(t).get(instructor, '/v1/assets?q=big')).json().data
      expect(rows).toEqual([])
    })

    it('rejects refused bytes after the last PATCH (a PNG named .pdf) and removes them', async () => {
      const png = tinyPng()
      const tus = tusClient(origin, instructor)
      const location = (await tus.create(png.length, { filename: 'slides.pdf', use: 'image' })).headers.get('location')!
      expect((await tus.patch(location, 0, png)).status).toBe(204)
      const client = assetsClient(t)
      const asset = await client.waitFor(instructor, location.split('/').pop()!, ['rejected', 'unscanned'])
      expect(asset).toMatchObject({ state: 'rejected', reason: 'name_contradicts_content', deliverable: false })
      expect((await client.downloadUrl(instructor, asset.id)).json()).toMatchObject({ code: 'ASSET_REJECTED' })
      await waitUntil('the staged upload removed', async () => (await tus.offset(location)).status === 404)
    })
  })
}

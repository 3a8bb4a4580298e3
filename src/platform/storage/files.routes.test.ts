/**
 * Signed downloads over HTTP (local driver; the S3 driver serves the same route in
 * src/modules/credentials/certificate-storage.test.ts): the owner gets the file with its headers
 * and ranges; a forged, altered, expired or someone else's token gets nothing.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantKey } from './object-store.ts'
import type { GrantRequest } from './file-tokens.ts'

let t: TestApp
let tenantId: string
const owner = randomUUID()
const other = randomUUID()
let ownerToken: string
let otherToken: string
const bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz')
let key: string

beforeAll(async () => {
  t = await buildTestApp()
  tenantId = (await t.createTenant()).id
  ownerToken = await t.tokenFor(tenantId, ['learner'], owner)
  otherToken = await t.tokenFor(tenantId, ['learner'], other)
  key = tenantKey(tenantId, `files-test/${randomUUID()}/lecture.mp4`)
  await t.platform.storage.put(key, bytes, { contentType: 'video/mp4' })
})
afterAll(async () => t?.close())

const sign = (overrides: Partial<GrantRequest> = {}, now?: Date) =>
  t.platform.fileTokens.sign({ tenantId, userId: owner, key, ttlSeconds: 600, ...overrides }, now)

const download = (token: string, headers: Record<string, string> = {}, path = '/v1/files/') =>
  t.app.inject({ method: 'GET', url: `${path}${token}`, headers })

describe('GET /v1/files/{token}', () => {
  it('serves the file to the user it was issued to, with its headers', async () => {
    const response = await download(sign({ filename: 'Été résumé "final".mp4' }), t.auth(ownerToken))
    expect(response.statusCode).toBe(200)
    expect(response.rawPayload).toEqual(bytes)
    expect(response.headers['content-type']).toBe('video/mp4')
    expect(response.headers['accept-ranges']).toBe('bytes')
    expect(response.headers['content-length']).toBe(String(bytes.length))
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="_t_ r_sum_ _final_.mp4"; filename*=UTF-8''%C3%89t%C3%A9%20r%C3%A9sum%C3%A9%20_final_.mp4`,
    )
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(String(response.headers['cache-control']))?.[1])
    expect(maxAge).toBeGreaterThan(0)
    expect(maxAge).toBeLessThanOrEqual(600)
  })

  it('shortens a long name to fit the token into one path segment, keeping its extension', async () => {
    const long = `${'Лекция по истории средневековой Европы, часть '.repeat(3)}.pdf`
    const token = sign({ filename: long })
    expect(token.length).toBeLessThanOrEqual(256)
    const response = await download(token, t.auth(ownerToken))
    expect(response.statusCode).toBe(200)
    const name = decodeURIComponent(
      /filename\*=UTF-8''(.+)$/.exec(String(response.headers['content-disposition']))![1]!,
    )
    expect(name).toMatch(/^Лекция по истории.*\.pdf$/)
    expect(long.startsWith(name.slice(0, -4))).toBe(true)
  })

  it('names the download after the key, inline when asked', async () => {
    const response = await download(sign({ disposition: 'inline' }), t.auth(ownerToken))
    expect(response.headers['content-disposition']).toBe(`inline; filename="lecture.mp4"; filename*=UTF-8''lecture.mp4`)
  })

  it('answers ranges with 206 and Content-Range, and 416 past the end', async () => {
    const token = sign()
    const middle = await download(token, { ...t.auth(ownerToken), range: 'bytes=10-15' })
    expect(middle.statusCode).toBe(206)
    expect(middle.headers['content-range']).toBe(`bytes 10-15/${bytes.length}`)
    expect(middle.headers['content-length']).toBe('6')
    expect(middle.body).toBe('abcdef')
    const open = await download(token, { ...t.auth(ownerToken), range: 'bytes=30-' })
    expect(open.statusCode).toBe(206)
    expect(open.body).toBe('uvwxyz')
    const suffix = await download(token, { ...t.auth(ownerToken), range: 'bytes=-3' })
    expect(suffix.statusCode).toBe(206)
    expect(suffix.headers['content-range']).toBe(`bytes 33-35/${bytes.length}`)
    expect(suffix.body).toBe('xyz')
    const past = await download(token, { ...t.auth(ownerToken), range: `bytes=${bytes.length}-` })
    expect(past.statusCode).toBe(416)
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`)
    expect(past.json()).toMatchObject({ status: 416, code: 'RANGE_NOT_SATISFIABLE' })
    // Several ranges, or another unit: the whole file (RFC 9110 lets a server ignore Range).
    const several = await download(token, { ...t.auth(ownerToken), range: 'bytes=0-1,4-5' })
    expect(several.statusCode).toBe(200)
    expect(several.rawPayload).toEqual(bytes)
  })

  it('refuses another user, and nobody', async () => {
    const token = sign()
    const stranger = await download(token, t.auth(otherToken))
    expect(stranger.statusCode).toBe(403)
    expect(stranger.json()).toMatchObject({ code: 'FILE_TOKEN_OTHER_USER' })
    expect((await download(token)).statusCode).toBe(401)
  })

  it('refuses an expired token with 410', async () => {
    const token = sign({ ttlSeconds: 60 }, new Date(Date.now() - 120_000))
    const response = await download(token, t.auth(ownerToken))
    expect(response.statusCode).toBe(410)
    expect(response.json()).toMatchObject({ code: 'FILE_LINK_EXPIRED' })
  })

  it('refuses a token altered anywhere, or signed under another secret', async () => {
    const token = sign()
    const [payload, mac] = token.split('.') as [string, string]
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
    // The expiry (bytes 34..39 of the payload: characters 45..53) and the MAC.
    for (const altered of [`${flip(payload, 50)}.${mac}`, `${payload}.${flip(mac, 3)}`, `${flip(payload, 5)}.${mac}`]) {
      const response = await download(altered, t.auth(ownerToken))
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ code: 'FILE_TOKEN_INVALID' })
    }
    const { createFileTokens } = await import('./file-tokens.ts')
    const forged = createFileTokens('another-secret-of-at-least-32-characters!').sign({
      tenantId,
      userId: owner,
      key,
      ttlSeconds: 600,
    })
    expect((await download(forged, t.auth(ownerToken))).statusCode).toBe(403)
  })

  it('refuses malformed tokens with 400 and missing files with 404', async () => {
    expect((await download('not-a-token', t.auth(ownerToken))).statusCode).toBe(400)
    const gone = sign({ key: tenantKey(tenantId, 'files-test/never-stored.bin') })
    const response = await download(gone, t.auth(ownerToken))
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ code: 'FILE_NOT_FOUND' })
  })
})

describe('GET /v1/files/links/{token}', () => {
  it('serves a short-lived link token without a session, with ranges', async () => {
    const token = sign({ mode: 'link', ttlSeconds: 120 })
    const response = await download(token, { range: 'bytes=0-3' }, '/v1/files/links/')
    expect(response.statusCode).toBe(206)
    expect(response.body).toBe('0123')
    const maxAge = Number(/max-age=(\d+)/.exec(String(response.headers['cache-control']))?.[1])
    expect(maxAge).toBeLessThanOrEqual(120)
  })

  it('refuses session tokens, and link tokens living longer than five minutes are never issued', async () => {
    const response = await download(sign(), {}, '/v1/files/links/')
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'FILE_TOKEN_NEEDS_SESSION' })
    expect(() => sign({ mode: 'link', ttlSeconds: 301 })).toThrow(/1 to 300 seconds/)
    expect(() => sign({ ttlSeconds: 24 * 3600 + 1 })).toThrow(/1 to 86400 seconds/)
  })

  it('refuses an expired link', async () => {
    const token = sign({ mode: 'link', ttlSeconds: 5 }, new Date(Date.now() - 10_000))
    expect((await download(token, {}, '/v1/files/links/')).statusCode).toBe(410)
  })
})

describe('file tokens', () => {
  it('never name another tenant', () => {
    expect(() => sign({ key: tenantKey(randomUUID(), 'x.pdf') })).toThrow(/not under/)
  })
})

/**
 * Test support for the asset library: uploads over HTTP (one request, and the tus protocol spoken
 * by hand over a real socket), reads of the status resource, and a wait for a state.
 */
import { createHash } from 'node:crypto'
import type { TestApp } from '../../../test/build-test-app.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import type { Asset } from './assets.schemas.ts'

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

export function assetsClient(t: TestApp) {
  const upload = (token: string, bytes: Buffer, query: { use: string; filename: string }, headers = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/assets?use=${query.use}&filename=${encodeURIComponent(query.filename)}`,
      headers: { ...t.auth(token), 'content-type': 'application/octet-stream', ...headers },
      payload: bytes,
    })
  const get = (token: string, url: string) => t.app.inject({ method: 'GET', url, headers: t.auth(token) })
  const status = async (token: string, id: string): Promise<Asset> => {
    const response = await get(token, `/v1/assets/${id}`)
    if (response.statusCode !== 200) throw new Error(`GET asset: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  return {
    upload,
    get,
    status,
    downloadUrl: (token: string, id: string, query = '') => get(token, `/v1/assets/${id}/download-url${query}`),
    /** Waits until the asset is in one of `states` (the jobs run in the app's own worker). */
    waitFor: (token: string, id: string, states: string[], what = states.join('/')) =>
      waitUntil(
        `asset ${id} ${what}`,
        async () => {
          const asset = await status(token, id)
          return states.includes(asset.state) ? asset : undefined
        },
        30_000,
      ),
  }
}

/** tus 1.0 over a real connection (the app listening): create, offset, and one PATCH. */
export function tusClient(origin: string, token: string) {
  const base = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' }
  const metadata = (fields: Record<string, string>) =>
    Object.entries(fields)
      .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
      .join(',')
  return {
    create: (length: number, fields: Record<string, string>) =>
      fetch(`${origin}/v1/asset-uploads`, {
        method: 'POST',
        headers: { ...base, 'upload-length': String(length), 'upload-metadata': metadata(fields) },
      }),
    offset: async (location: string) => {
      const response = await fetch(`${origin}${location}`, { method: 'HEAD', headers: base })
      return { status: response.status, offset: Number(response.headers.get('upload-offset')) }
    },
    patch: (location: string, offset: number, bytes: Buffer, headers: Record<string, string> = base) =>
      fetch(`${origin}${location}`, {
        method: 'PATCH',
        headers: { ...headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body: bytes,
      }),
  }
}

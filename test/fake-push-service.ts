/**
 * A local fake push service for web push tests: a loopback HTTP server that checks each message
 * the way a real push service and browser would, with nothing from the `web-push` library:
 * - the VAPID header (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`, the JWT ES256-signed by
 *   that key, `aud` the service's origin, `exp` in the future and at most 24 h ahead, a `sub`;
 * - the payload (RFC 8291 over RFC 8188 aes128gcm), decrypted with the subscription's private
 *   key, which the test generated (node:crypto ECDH on P-256), and its auth secret.
 * Devices are paths (`/push/<name>`); each answers 201 unless the test set another status.
 */
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeDevice {
  endpoint: string
  /** What the browser hands the application server (PushSubscription.toJSON().keys). */
  keys: { p256dh: string; auth: string }
  ecdh: ECDH
  authSecret: Buffer
}

export interface ReceivedPush {
  device: string
  status: number
  /** Set when the message passed every check. */
  payload?: unknown
  /** What was wrong, when something was. */
  problem?: string
  headers: Record<string, string | undefined>
  jwt?: { aud: string; exp: number; sub: string }
  vapidKey?: string
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64url')
}

/** Verifies the VAPID header; returns the JWT claims and key, or throws with what is wrong. */
function checkVapid(authorization: string | undefined, origin: string, nowSeconds: number) {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(
    authorization ?? '',
  )
  if (!match) throw new Error(`no vapid authorization: ${authorization}`)
  const [, jwt, k] = match as unknown as [string, string, string]
  const [header, claims, signature] = jwt.split('.') as [string, string, string]
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; typ?: string }
  if (head.alg !== 'ES256') throw new Error(`jwt alg ${head.alg}`)
  const point = Buffer.from(k, 'base64url')
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point')
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) },
    format: 'jwk',
  })
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  if (!signed) throw new Error('jwt signature does not verify under k')
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; exp: number; sub: string }
  if (body.aud !== origin) throw new Error(`jwt aud ${body.aud}, expected ${origin}`)
  if (!(body.exp > nowSeconds && body.exp <= nowSeconds + 24 * 3600)) throw new Error(`jwt exp ${body.exp}`)
  if (typeof body.sub !== 'string' || !/^(mailto:|https:)/.test(body.sub)) throw new Error(`jwt sub ${body.sub}`)
  return { jwt: body, vapidKey: k }
}

/** Decrypts an aes128gcm message (RFC 8188 header, RFC 8291 key derivation) for the device. */
export function decryptPush(body: Buffer, device: FakeDevice): string {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body[20]!
  const senderKey = body.subarray(21, 21 + idLength)
  const ciphertext = body.subarray(21 + idLength)
  if (idLength !== 65) throw new Error(`keyid length ${idLength}, expected the sender's 65-byte public key`)
  if (ciphertext.length > recordSize) throw new Error('more than one record')
  const shared = device.ecdh.computeSecret(senderKey)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), device.ecdh.getPublicKey(), senderKey])
  const ikm = Buffer.from(hkdfSync('sha256', shared, device.authSecret, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  if (padded[end] !== 2) throw new Error('no last-record delimiter')
  return padded.subarray(0, end).toString('utf8')
}

export async function startFakePushService() {
  const received: ReceivedPush[] = []
  const devices = new Map<string, FakeDevice>()
  const statuses = new Map<string, number>()
  let origin = ''
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const name = (request.url ?? '').replace(/^\/push\//, '')
      const device = devices.get(name)
      const status = statuses.get(name) ?? 201
      const headers = {
        ttl: request.headers.ttl as string | undefined,
        urgency: request.headers.urgency as string | undefined,
        topic: request.headers.topic as string | undefined,
        'content-encoding': request.headers['content-encoding'],
      }
      const entry: ReceivedPush = { device: name, status, headers }
      try {
        if (request.method !== 'POST') throw new Error(`method ${request.method}`)
        if (!device) throw new Error(`unknown device ${name}`)
        Object.assign(entry, checkVapid(request.headers.authorization, origin, Math.floor(Date.now() / 1000)))
        if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`encoding ${headers['content-encoding']}`)
        if (!headers.ttl || !/^\d+$/.test(headers.ttl)) throw new Error(`ttl ${headers.ttl}`)
        entry.payload = JSON.parse(decryptPush(Buffer.concat(chunks), device))
      } catch (error) {
        entry.problem = (error as Error).message
      }
      received.push(entry)
      response.writeHead(entry.problem ? 400 : status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    received,
    /** A new browser subscription: a fresh P-256 key pair and auth secret, as PushManager.subscribe makes. */
    device(name: string): FakeDevice {
      const ecdh = createECDH('prime256v1')
      ecdh.generateKeys()
      const authSecret = randomBytes(16)
      const device = {
        endpoint: `${origin}/push/${name}`,
        keys: { p256dh: b64(ecdh.getPublicKey()), auth: b64(authSecret) },
        ecdh,
        authSecret,
      }
      devices.set(name, device)
      return device
    },
    answer(name: string, status: number) {
      statuses.set(name, status)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type FakePushService = Awaited<ReturnType<typeof startFakePushService>>

/**
 * The sandbox's webhook signature: Stripe's scheme with the sandbox's own secret, so the inbound
 * path treats both alike. Header `Lyceum-Sandbox-Signature: t=<unix seconds>,v1=<hex>`, where
 * v1 is HMAC-SHA256 over `<t>.<raw body>`. A receiver accepts any v1 that matches (a secret
 * being rolled signs twice) and refuses a timestamp further than the tolerance from its clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SANDBOX_SIGNATURE_HEADER = 'lyceum-sandbox-signature'

const digest = (secret: string, timestamp: number, body: Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()

export function signSandboxPayload(body: Buffer, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body).toString('hex')}`
}

/** Why the header does not verify, or undefined when it does. */
export function sandboxSignatureProblem(
  body: Buffer,
  header: string,
  secret: string,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  let timestamp: number | undefined
  const signatures: Buffer[] = []
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2)
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'))
  }
  if (timestamp === undefined || signatures.length === 0) return 'the header has no timestamp or no v1 signature'
  const expected = digest(secret, timestamp, body)
  if (!signatures.some((signature) => timingSafeEqual(signature, expected)))
    return 'no v1 signature matches the body and timestamp'
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds)
    return `the timestamp is outside the ${toleranceSeconds}-second tolerance`
  return undefined
}

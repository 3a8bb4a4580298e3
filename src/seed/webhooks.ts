/**
 * The webhooks area of the development seed, through the public API as the demo tenant's
 * administrator: one endpoint that takes every event type, pointing at the demo receiver on the
 * developer's machine (`npm run webhooks:receive`, scripts/webhook-receiver.ts), and a test event
 * to it. The development profile lets egress reach loopback (EGRESS_ALLOW_PRIVATE_NETWORKS
 * defaults to true there), so the endpoint is accepted and delivered to.
 *
 * An endpoint's secret is shown once; the seed keeps it in DATA_DIR/dev-webhook.json (mode 0600,
 * next to dev-credentials.json), where the receiver reads it. When that file is lost or names
 * another endpoint, the seed rotates the secret (no overlap) and writes the new one. Idempotent:
 * the endpoint is found by its URL.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { listAll } from './api-client.ts'
import { actorOf, type SeedArea, type SeedContext } from './areas.ts'

/** Where the demo receiver listens (scripts/webhook-receiver.ts uses the same default). */
export const DEMO_RECEIVER_URL = 'http://127.0.0.1:4400/lyceum-webhooks'
export const DEV_WEBHOOK_FILE = 'dev-webhook.json'

export interface DevWebhook {
  endpointId: string
  url: string
  secret: string
}

export function webhooksArea(url = DEMO_RECEIVER_URL): SeedArea {
  return {
    name: 'webhooks',
    version: 1,
    summary: `a webhook endpoint for every event type at ${url} (run the receiver: npm run webhooks:receive)`,
    browse: '/v1/webhook-endpoints',
    run: (ctx) => seedEndpoint(ctx, url),
  }
}

async function readDevWebhook(file: string): Promise<DevWebhook | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevWebhook
  } catch {
    return undefined
  }
}

async function seedEndpoint(ctx: SeedContext, url: string): Promise<void> {
  const { api, accounts } = ctx
  const admin = actorOf(ctx, accounts.admin, accounts.admin.email)
  const token = await admin.token()
  const file = path.join(ctx.lyceum.platform.config.dataDir, DEV_WEBHOOK_FILE)
  const kept = await readDevWebhook(file)
  const existing = (await listAll<{ id: string; url: string }>(api, '/v1/webhook-endpoints', token)).find(
    (endpoint) => endpoint.url === url,
  )
  let devWebhook: DevWebhook
  if (!existing) {
    const created = await api.call<{ id: string; secret: string }>('POST', '/v1/webhook-endpoints', {
      token,
      payload: { url, description: 'Demo receiver on this machine: npm run webhooks:receive', eventTypes: [] },
      expect: [201],
    })
    devWebhook = { endpointId: created.body.id, url, secret: created.body.secret }
  } else if (kept?.endpointId === existing.id && kept.secret) {
    return
  } else {
    const rotated = await api.call<{ secret: string }>('POST', `/v1/webhook-endpoints/${existing.id}/secret/rotate`, {
      token,
      payload: { overlapSeconds: 0 },
      expect: [200, 201],
    })
    devWebhook = { endpointId: existing.id, url, secret: rotated.body.secret }
  }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(devWebhook, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  // Something to receive at once: retried on the schedule until the receiver runs.
  await api.call('POST', `/v1/webhook-endpoints/${devWebhook.endpointId}/test-event`, { token, expect: [202] })
}

/**
 * The demo webhook receiver (`npm run webhooks:receive`): listens on loopback where the development
 * seed's endpoint points (http://127.0.0.1:4400/lyceum-webhooks), verifies each request's Standard
 * Webhooks signature with the endpoint's secret, drops a webhook-id it has seen (deliveries are at
 * least once), and prints the event. Development only: it is a devDependency's client.
 *
 * The secret: LYCEUM_WEBHOOK_SECRET, else DATA_DIR/dev-webhook.json, which the development seed
 * writes when it creates the endpoint (DATA_DIR as for the server, default ./.data).
 * WEBHOOK_RECEIVER_PORT and WEBHOOK_RECEIVER_PATH change where it listens.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'
import { Webhook } from 'standardwebhooks'

const port = Number(process.env.WEBHOOK_RECEIVER_PORT ?? 4400)
const route = process.env.WEBHOOK_RECEIVER_PATH ?? '/lyceum-webhooks'

function secret(): string {
  if (process.env.LYCEUM_WEBHOOK_SECRET) return process.env.LYCEUM_WEBHOOK_SECRET
  const file = path.resolve(process.env.DATA_DIR ?? './.data', 'dev-webhook.json')
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret
  } catch {
    console.error(
      `No secret: set LYCEUM_WEBHOOK_SECRET, or start the server once (npm start) so the seed writes ${file}.`,
    )
    process.exit(1)
  }
}

const verifier = new Webhook(secret())
const seen = new Set<string>()

const server = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    if (request.method !== 'POST' || request.url !== route) {
      response.writeHead(404).end()
      return
    }
    const body = Buffer.concat(chunks).toString('utf8')
    let event: { id: string; type: string; sequence: number; resource: string; data: unknown }
    try {
      event = verifier.verify(body, request.headers as Record<string, string>) as typeof event
    } catch (error) {
      console.warn(`refused a request: ${error instanceof Error ? error.message : String(error)}`)
      response.writeHead(400).end()
      return
    }
    // Answer at once; a real receiver queues the work.
    response.writeHead(204).end()
    if (seen.has(event.id)) {
      console.info(`${event.id} again (already processed; a retry or a replay)`)
      return
    }
    seen.add(event.id)
    console.info(`${new Date().toISOString()}  ${event.type}  ${event.resource} #${event.sequence}  ${event.id}`)
    console.info(`  ${JSON.stringify(event.data)}`)
  })
})

server.listen(port, '127.0.0.1', () => {
  console.info(`Lyceum webhook receiver on http://127.0.0.1:${port}${route} (signatures verified; Ctrl-C stops it)`)
})

/**
 * POST /v1/mail/provider-events: the mail provider's bounces and complaints (provider-events.ts).
 * The body stays bytes until its signature verified; then every recipient is suppressed.
 */
import { Type } from 'typebox'
import { platformScope, type Database } from '../db/database.ts'
import { publicAccess } from '../http/access.ts'
import type { App } from '../http/server.ts'
import { parseProviderEvents, providerEventErrors, verifyProviderSignature } from './provider-events.ts'
import { addressHash, suppressionRepository } from './suppressions.ts'

const BODY_LIMIT = 256 * 1024

const Receipt = Type.Object(
  {
    received: Type.Integer({ minimum: 0, description: 'Events in the request' }),
    suppressed: Type.Integer({ minimum: 0, description: 'Addresses newly suppressed (others already were)' }),
  },
  { additionalProperties: false },
)

export function providerEventRoutes(deps: { database: Database; secret: string | undefined; suppressionKey: Buffer }) {
  return async function routes(app: App): Promise<void> {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    )
    app.post(
      '/v1/mail/provider-events',
      {
        schema: {
          summary: "Receive the mail provider's bounce and complaint events",
          description:
            'Signed the Standard Webhooks way under MAIL_PROVIDER_WEBHOOK_SECRET (`webhook-id`, `webhook-timestamp` within 5 minutes, `webhook-signature` `v1,<base64 HMAC-SHA-256 of id.timestamp.body>`), verified over the raw body before anything else: a missing, forged or stale signature is 400 WEBHOOK_SIGNATURE_INVALID and nothing is recorded. The body is `{ "events": [{ "type": "bounce" | "complaint", "recipient": "<address>", "detail"?: "<text>" }] }` (1-100 events); every recipient is suppressed: no mail goes to it again (its messages settle as `suppressed`). Served only when MAIL_PROVIDER_WEBHOOK_SECRET is set.',
          tags: ['ops'],
          operationId: 'receiveMailProviderEvents',
          body: {
            content: {
              'application/json': {
                schema: Type.Object(
                  {
                    events: Type.Array(
                      Type.Object({
                        type: Type.Union([Type.Literal('bounce'), Type.Literal('complaint')]),
                        recipient: Type.String({ maxLength: 320 }),
                        detail: Type.Optional(Type.String({ maxLength: 500 })),
                      }),
                      { minItems: 1, maxItems: 100 },
                    ),
                  },
                  { description: 'The events, exactly as signed' },
                ),
              },
            },
          },
          response: { 200: Receipt },
        },
        // The body is bytes until its signature verified; the handler then parses it itself.
        validatorCompiler: () => () => true,
        config: { access: publicAccess(), ownCredentials: true, rateLimit: 'none' },
      },
      async (request) => {
        if (!deps.secret) throw providerEventErrors.disabled()
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        verifyProviderSignature(deps.secret, request.headers, body)
        const events = parseProviderEvents(body)
        const added = await deps.database.transaction(platformScope, async (tx) => {
          let count = 0
          for (const event of events) {
            const fresh = await suppressionRepository.add(tx, {
              addressHash: addressHash(deps.suppressionKey, event.recipient),
              reason: event.type,
              source: 'provider',
              detail: event.detail,
            })
            if (fresh) count += 1
          }
          return count
        })
        request.log.info({ received: events.length, suppressed: added }, 'mail provider events')
        return { received: events.length, suppressed: added }
      },
    )
  }
}

/**
 * HTTP surface of payments: the webhook receivers (one path per provider served) and the
 * sandbox's buyer-facing authentication step. The receivers read the body as raw bytes (the
 * signature covers them exactly), in a plugin of their own so no other route loses the JSON
 * parser; they take no credential and no rate limit: the signature is the authentication, and a
 * provider retrying deliveries must never be throttled into losing events.
 */
import { Type } from 'typebox'
import { publicAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import type { Inbound } from './inbound.ts'
import { paymentsErrors } from './payments.errors.ts'
import type { PaymentProviders } from './providers.ts'
import type { SandboxProvider } from './sandbox/sandbox-provider.ts'
import { SANDBOX_SIGNATURE_HEADER } from './sandbox/sandbox-signature.ts'

const tags = ['payments']

/** Stripe's events stay well under this; anything larger is not a webhook of ours. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024

const WebhookReceipt = Type.Object(
  {
    received: Type.Literal(true),
    outcome: Type.Enum(['accepted', 'duplicate', 'ignored'], {
      description:
        'accepted: recorded and queued; duplicate: this event id was received before (nothing changes); ignored: a type commerce does not act on',
    }),
  },
  { additionalProperties: false },
)

const SIGNATURE_HEADERS: Record<string, string> = {
  stripe: 'stripe-signature',
  sandbox: SANDBOX_SIGNATURE_HEADER,
}

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1)

export function webhookRoutes(inbound: Inbound, providers: PaymentProviders) {
  return async function routes(app: App): Promise<void> {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    )
    for (const name of providers.names()) {
      const header = SIGNATURE_HEADERS[name] ?? 'signature'
      app.post(
        `/v1/webhooks/payments/${name}`,
        {
          schema: {
            summary: `Receive a ${name} payment webhook`,
            description: `For ${name} only. The \`${header}\` signature is verified over the raw body before anything else: a missing, forged or stale signature is 400 WEBHOOK_SIGNATURE_INVALID and nothing is recorded. An event id seen before is acknowledged without effect; a type commerce does not act on is acknowledged and logged. Events are processed by a job, in the tenant that owns the payment (see docs/commerce.md).`,
            tags,
            operationId: `receive${capitalised(name)}PaymentWebhook`,
            body: {
              content: {
                'application/json': {
                  schema: Type.Object(
                    { id: Type.String(), type: Type.String() },
                    { additionalProperties: true, description: `The ${name} event, exactly as signed` },
                  ),
                },
              },
            },
            response: { 200: WebhookReceipt },
          },
          // The body is bytes until its signature verified; the receiver then parses it itself.
          validatorCompiler: () => () => true,
          config: { access: publicAccess(), ownCredentials: true, rateLimit: 'none' },
        },
        async (request) => {
          const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
          const { outcome } = await inbound.receive(name, { rawBody, headers: request.headers })
          return { received: true as const, outcome }
        },
      )
    }
  }
}

const SandboxAuthentication = Type.Object(
  {
    id: Type.String(),
    status: Type.String({ description: 'The payment status after the answer (e.g. succeeded, requires_capture)' }),
  },
  { additionalProperties: false },
)

export function sandboxRoutes(sandbox: SandboxProvider) {
  return async function routes(app: App): Promise<void> {
    app.post(
      '/v1/sandbox/payments/:paymentId/authenticate',
      {
        schema: {
          summary: 'Answer a sandbox 3-D Secure challenge',
          description:
            "The sandbox provider's stand-in for a card issuer's authentication page (not served in production unless PAYMENTS_SANDBOX_IN_PRODUCTION). The buyer's client sends the payment's client secret and approves or denies; the payment then proceeds (or fails) and its webhooks follow. An unknown payment or a wrong secret is 404.",
          tags,
          operationId: 'authenticateSandboxPayment',
          params: Type.Object({ paymentId: Type.String({ pattern: '^sbpi_[0-9a-f]{24}$' }) }),
          body: Type.Object(
            {
              clientSecret: Type.String({ minLength: 1, maxLength: 200 }),
              outcome: Type.Enum(['approve', 'deny']),
            },
            { additionalProperties: false },
          ),
          response: { 200: SandboxAuthentication },
        },
        config: { access: publicAccess() },
      },
      async (request) => {
        const { paymentId } = request.params
        const { clientSecret, outcome } = request.body
        let payment
        try {
          payment = await sandbox.authenticate(paymentId, clientSecret, outcome === 'approve')
        } catch (error) {
          if ((error as { code?: unknown }).code === 'payment_intent_unexpected_state')
            throw paymentsErrors.sandboxNotAwaitingAction(paymentId)
          throw error
        }
        if (!payment) throw paymentsErrors.sandboxPaymentNotFound(paymentId)
        return { id: payment.providerPaymentId, status: payment.status }
      },
    )
  }
}

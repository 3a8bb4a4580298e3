/**
 * One-click unsubscribe (RFC 8058) without signing in: `GET /v1/unsubscribe?token=` shows a small
 * confirmation page and changes nothing (link scanners fetch links); `POST` with the form body
 * `List-Unsubscribe=One-Click`, as mail clients send it, turns the token's type (or every activity
 * type) off for email. The signed token is the credential, so the POST needs no CSRF token: it can
 * only ever stop mail to the member it names.
 */
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { publicAccess } from '../../platform/http/access.ts'
import { html, type SafeHtml } from '../../platform/http/html.ts'
import { acceptForms, sendPage } from '../../platform/http/html-page.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { App } from '../../platform/http/server.ts'
import { NOTIFICATION_TYPE_NAMES, notificationType } from './notification-types.ts'
import { preferences } from './notifications.tables.ts'
import { isLocked } from './preferences.ts'
import { readUnsubscribeToken, type UnsubscribeScope } from './unsubscribe.ts'

const Query = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 1024, pattern: '^u1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
)
const OneClick = Type.Object(
  { 'List-Unsubscribe': Type.Literal('One-Click') },
  { additionalProperties: true, description: 'RFC 8058 one-click body' },
)
const options = (schema: Record<string, unknown>) => ({
  schema: { ...schema, hide: true },
  config: { access: publicAccess('required'), htmlPage: true, rateLimit: 'auth' as const },
})

const page = (title: string, body: SafeHtml) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${title}</title>
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `

/** The activity types a token covers (`*`: all of them), never a locked channel. */
function typesOf(scope: UnsubscribeScope): string[] {
  const names = scope.type === '*' ? NOTIFICATION_TYPE_NAMES : [scope.type]
  return names.filter((name) => {
    const type = notificationType(name)
    return type?.class === 'activity' && !isLocked(type, 'email')
  })
}

const describe = (scope: UnsubscribeScope) =>
  scope.type === '*' ? 'all activity emails' : `emails about ${scope.type.replace(/[._]/g, ' ')}`

export function unsubscribeRoutes(key: Buffer) {
  const scopeOf = (ctx: RequestContext, token: string) => {
    const scope = readUnsubscribeToken(key, token)
    // A token of another tenant is as unknown here as a forged one.
    return scope && scope.tenantId === ctx.tenantId && typesOf(scope).length > 0 ? scope : undefined
  }
  const invalid = (reply: FastifyReply) =>
    sendPage(reply, 404, page('Link not valid', html`<p>This unsubscribe link is not valid here.</p>`), [])

  return async function routes(app: App): Promise<void> {
    acceptForms(app)
    app.get('/v1/unsubscribe', options({ querystring: Query }), async (request, reply) => {
      const { token } = request.query as { token: string }
      const scope = scopeOf(request.ctx, token)
      if (!scope) return invalid(reply)
      const action = `/v1/unsubscribe?token=${encodeURIComponent(token)}`
      return sendPage(
        reply,
        200,
        page(
          'Unsubscribe',
          html`<p>Stop ${describe(scope)}? You keep receiving security notices and receipts.</p>
            <form method="post" action="${action}">
              <input type="hidden" name="List-Unsubscribe" value="One-Click" /><button type="submit">
                Unsubscribe
              </button>
            </form>`,
        ),
        [],
      )
    })

    app.post('/v1/unsubscribe', options({ querystring: Query, body: OneClick }), async (request, reply) => {
      const { token } = request.query as { token: string }
      const scope = scopeOf(request.ctx, token)
      if (!scope) return invalid(reply)
      await request.ctx.inTenant(async (tx) => {
        for (const type of typesOf(scope)) {
          const values = { tenantId: scope.tenantId, userId: scope.userId, type, channel: 'email' as const }
          await tx
            .insert(preferences)
            .values({ ...values, enabled: false })
            .onConflictDoUpdate({
              target: [preferences.tenantId, preferences.userId, preferences.type, preferences.channel],
              set: { enabled: false, updatedAt: new Date() },
            })
        }
      })
      request.log.info({ types: typesOf(scope).length }, 'unsubscribed by link')
      return sendPage(
        reply,
        200,
        page('Unsubscribed', html`<p>Done: you will no longer receive ${describe(scope)}.</p>`),
        [],
      )
    })
  }
}

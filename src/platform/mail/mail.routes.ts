import { Type } from 'typebox'
import { operatorAccess } from '../http/access.ts'
import { Page } from '../http/pagination.ts'
import type { App } from '../http/server.ts'
import { MailIdParams, MailListQuery, MailMessage } from './mail.schemas.ts'
import type { MailService } from './mail.service.ts'

const tags = ['ops']

const BODIES_NOTE =
  'Outside production the response includes the text and HTML bodies (the development outbox). ' +
  'In the production profile bodies are omitted and only delivery metadata is returned, because ' +
  'captured mail contains password-reset links and sign-in codes.'

export function mailRoutes(service: MailService) {
  return async function routes(app: App) {
    app.addSchema(MailMessage)
    const MailMessageRef = Type.Ref('MailMessage')
    const MailMessagePage = Page(MailMessageRef, 'MailMessagePage')

    app.get(
      '/v1/ops/mail',
      {
        schema: {
          summary: 'List mail messages, newest first',
          description: `Every message the platform sent or captured, with its delivery state. ${BODIES_NOTE}`,
          tags,
          operationId: 'listMailMessages',
          querystring: MailListQuery,
          response: { 200: MailMessagePage },
        },
        config: { access: operatorAccess('platform:mail') },
      },
      async (request) => {
        const { limit, cursor, to, status, tenantId } = request.query
        const filter = {
          ...(to === undefined ? {} : { to }),
          ...(status === undefined ? {} : { status }),
          ...(tenantId === undefined ? {} : { tenantId }),
        }
        return service.list(request.ctx, filter, limit, cursor)
      },
    )

    app.get(
      '/v1/ops/mail/:id',
      {
        schema: {
          summary: 'Get a mail message',
          description: `One message with its delivery state. ${BODIES_NOTE}`,
          tags,
          operationId: 'getMailMessage',
          params: MailIdParams,
          response: { 200: MailMessageRef },
        },
        config: { access: operatorAccess('platform:mail') },
      },
      async (request) => service.get(request.ctx, request.params.id),
    )
  }
}

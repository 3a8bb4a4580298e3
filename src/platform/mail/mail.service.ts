/**
 * The operator view of platform mail. Outside production the outbox is how developers and tests
 * read what was sent, bodies included; in production bodies are withheld because they carry
 * password-reset links and sign-in codes, and operators only need delivery metadata.
 */
import type { PageResult } from '../http/pagination.ts'
import type { RequestContext } from '../http/request-context.ts'
import { mailErrors } from './mail.errors.ts'
import { mailCursor, mailRepository, type MailFilter, type MailRow } from './mail.repository.ts'
import type { MailMessage } from './mail.schemas.ts'

function toMessage(row: MailRow, includeBodies: boolean): MailMessage {
  return {
    id: row.id,
    tenantId: row.tenantId,
    messageKey: row.messageKey,
    to: row.toAddress,
    from: row.fromAddress,
    subject: row.subject,
    headers: row.headers ?? {},
    status: row.status,
    transport: row.transport,
    attempts: row.attempts,
    lastError: row.lastError,
    providerMessageId: row.providerMessageId,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    ...(includeBodies ? { text: row.textBody, html: row.htmlBody } : {}),
  }
}

export function createMailService(options: { includeBodies: boolean }) {
  const { includeBodies } = options
  return {
    async list(
      ctx: RequestContext,
      filter: MailFilter,
      limit: number,
      cursor: string | undefined,
    ): Promise<PageResult<MailMessage>> {
      const after = mailCursor.decode(cursor)
      const rows = await ctx.inPlatform((tx) => mailRepository.list(tx, filter, limit, after))
      const page = mailCursor.page(rows, limit, ({ position, row }) => [position, row.id])
      return { data: page.data.map(({ row }) => toMessage(row, includeBodies)), nextCursor: page.nextCursor }
    },

    async get(ctx: RequestContext, id: string): Promise<MailMessage> {
      const row = await ctx.inPlatform((tx) => mailRepository.findById(tx, id))
      if (!row) throw mailErrors.notFound(id)
      return toMessage(row, includeBodies)
    },
  }
}

export type MailService = ReturnType<typeof createMailService>

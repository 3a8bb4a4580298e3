/**
 * The tenant-facing audit trail: a member with audit:read lists their tenant's entries, newest
 * first, through RLS, at one data query per page, or downloads them all as CSV.
 */
import { Readable } from 'node:stream'
import { commonErrors } from '../errors.ts'
import { tenantAccess } from '../http/access.ts'
import { Page } from '../http/pagination.ts'
import type { App } from '../http/server.ts'
import { Type } from 'typebox'
import { auditCsvStream } from './audit-csv.ts'
import { auditEventFilter, firstAuditPage, isFirstUnfilteredPage, listAuditEvents } from './audit.queries.ts'
import { AuditEvent, AuditEventCsvQuery, AuditEventQuery } from './audit.schemas.ts'

const HOT_READ = { readOnly: true, singleStatement: true }

export function auditRoutes() {
  return async function routes(app: App) {
    app.addSchema(AuditEvent)
    const AuditEventPage = Page(Type.Ref('AuditEvent'), 'AuditEventPage')

    app.get(
      '/v1/audit-events',
      {
        schema: {
          summary: "The caller tenant's audit trail, newest first",
          tags: ['audit'],
          operationId: 'listAuditEvents',
          querystring: AuditEventQuery,
          response: { 200: AuditEventPage },
        },
        config: { access: tenantAccess('audit:read') },
      },
      async (request) => {
        const { ctx, query } = request
        if (!ctx.tenantId) throw commonErrors.tenantRequired()
        const tenantId = ctx.tenantId
        // One read-only statement: COMMIT travels with it, one round trip (ADR 0003).
        if (isFirstUnfilteredPage(query))
          return ctx.inTenant((tx) => firstAuditPage(tx, tenantId, query.limit), HOT_READ)
        const where = auditEventFilter(tenantId, query)
        return ctx.inTenant((tx) => listAuditEvents(tx, where, query.limit), HOT_READ)
      },
    )

    // A separate path rather than content negotiation on /v1/audit-events: a download link
    // works from a browser or curl without setting Accept, and each operation has one response type.
    app.get(
      '/v1/audit-events.csv',
      {
        schema: {
          summary: "The caller tenant's whole audit trail as a CSV download, newest first",
          description:
            'Takes the same filters as listAuditEvents and streams every matching entry (RFC 4180, UTF-8, CRLF line ends, a header row). ' +
            'Cells starting with = + - @, a tab or a carriage return are prefixed with an apostrophe so spreadsheets never evaluate them. ' +
            'chain_seq and hash let an auditor check the hash chain.',
          tags: ['audit'],
          operationId: 'exportAuditEventsCsv',
          querystring: AuditEventCsvQuery,
          response: {
            200: {
              description: 'The matching entries, one per line, sent as an attachment',
              content: { 'text/csv': { schema: Type.String() } },
            },
          },
        },
        config: { access: tenantAccess('audit:read') },
      },
      async (request, reply) => {
        const { ctx, query } = request
        if (!ctx.tenantId) throw commonErrors.tenantRequired()
        const lines = await auditCsvStream(ctx, ctx.tenantId, query)
        const day = new Date().toISOString().slice(0, 10)
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="audit-events-${day}.csv"`)
            .header('cache-control', 'no-store')
            // The 200 schema documents the body as text; Fastify pipes a stream without serializing it.
            .send(Readable.from(lines) as unknown as string)
        )
      },
    )
  }
}

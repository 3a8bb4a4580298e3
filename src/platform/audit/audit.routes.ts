/**
 * The tenant-facing audit trail: a member with audit:read lists their tenant's entries, newest
 * first, through RLS, at one data query per page.
 */
import { commonErrors } from '../errors.ts'
import { tenantAccess } from '../http/access.ts'
import { Page } from '../http/pagination.ts'
import type { App } from '../http/server.ts'
import { Type } from 'typebox'
import { auditEventFilter, listAuditEvents } from './audit.queries.ts'
import { AuditEvent, AuditEventQuery } from './audit.schemas.ts'

export function auditRoutes() {
  return async function routes(app: App) {
    app.addSchema(AuditEvent)
    const AuditEventPage = Page(Type.Ref('AuditEvent'), 'AuditEventPage')

    app.get('/v1/audit-events', {
      schema: {
        summary: "The caller tenant's audit trail, newest first",
        tags: ['audit'],
        operationId: 'listAuditEvents',
        querystring: AuditEventQuery,
        response: { 200: AuditEventPage },
      },
      config: { access: tenantAccess('audit:read') },
    }, async (request) => {
      const { ctx, query } = request
      if (!ctx.tenantId) throw commonErrors.tenantRequired()
      const where = auditEventFilter(ctx.tenantId, query)
      return ctx.inTenant((tx) => listAuditEvents(tx, where, query.limit))
    })
  }
}

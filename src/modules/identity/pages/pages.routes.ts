/**
 * The pages email links land on, served on the tenant's host: `/verify-email`, `/reset-password`,
 * `/magic-link` and `/invitation`. A GET never uses a token (mail scanners prefetch links): it
 * looks at it and shows a form; the form's POST uses it. Every form carries a signed
 * double-submit CSRF token bound to the tenant, the page and the emailed token. Answers are HTML,
 * errors included (this plugin's error handler), with the headers of platform/http/html-page.ts.
 * Hidden from the OpenAPI document (ADR 0011): a user interface, not an API.
 */
import type { FastifyError } from 'fastify'
import { acceptForms, type FormGuard } from '../../../platform/http/html-page.ts'
import type { App } from '../../../platform/http/server.ts'
import { invitationRoutes } from './invitation-pages.routes.ts'
import { magicLinkRoutes, resetRoutes, verifyRoutes } from './link-pages.routes.ts'
import { renderPageError } from './pages.errors.ts'
import { createPageKit } from './pages.kit.ts'
import type { PagesService } from './pages.service.ts'

export function pagesRoutes(service: PagesService, guard: FormGuard) {
  const kit = createPageKit(service, guard)
  return async function routes(app: App) {
    acceptForms(app)
    app.setErrorHandler((error: FastifyError, request, reply) => renderPageError(service, error, request, reply))
    verifyRoutes(app, kit)
    resetRoutes(app, kit)
    magicLinkRoutes(app, kit)
    invitationRoutes(app, kit)
  }
}

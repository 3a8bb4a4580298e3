/**
 * Errors on the hosted pages are pages: the same statuses as the JSON API (400, 403, 404, 429,
 * 5xx, with Retry-After where it applies), a title and a sentence a person can act on, and the
 * request id for support. The JSON API keeps its problem documents.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isAppError } from '../../../platform/errors.ts'
import { sendPage } from '../../../platform/http/html-page.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { layout, PAGE_STYLE_SOURCES, problem } from './pages.layout.ts'
import { en as t } from './pages.messages.ts'
import type { PagesService } from './pages.service.ts'

interface Shown {
  status: number
  title: string
  message: string
}

/** Codes of links that cannot be used (unknown, used, expired, revoked). */
const DEAD_LINK = /(_TOKEN_INVALID|^MAGIC_LINK_INVALID|^INVITATION_INVALID)$/

/** The field an Ajv issue is about, as the form names it. */
function fieldOf(issue: { instancePath: string; params?: Record<string, unknown> }): string {
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty
  return typeof missing === 'string' ? missing : issue.instancePath.replace(/^\//, '') || 'form'
}

function describe(error: FastifyError, request: FastifyRequest): Shown {
  if (isAppError(error)) {
    if (error.status >= 500) request.log.warn({ err: error, cause: error.cause }, error.message)
    const title =
      error.status === 400 && DEAD_LINK.test(error.code)
        ? t.errors.invalidLinkTitle
        : error.status === 429
          ? t.errors.rateLimited
          : t.errors.title
    return { status: error.status, title, message: error.message }
  }
  if (error.validation) {
    if (error.validationContext === 'querystring')
      return { status: 400, title: t.errors.invalidLinkTitle, message: t.errors.malformedLink }
    const fields = [...new Set(error.validation.map((issue) => fieldOf(issue)))].join(', ')
    return { status: 400, title: t.errors.title, message: t.errors.malformedForm(fields) }
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500
  if (status >= 400 && status < 500) return { status, title: t.errors.title, message: error.message }
  request.log.error({ err: error }, 'unhandled error on a hosted page')
  return { status: 500, title: t.errors.title, message: t.errors.unexpected }
}

async function siteOf(service: PagesService, request: FastifyRequest): Promise<TenantSite | null> {
  // The failure may be the tenant itself (unknown host, suspended) or the database: then no name.
  if (!request.ctx?.tenantId) return null
  try {
    return await service.site(request.ctx)
  } catch {
    return null
  }
}

export async function renderPageError(
  service: PagesService,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const shown = describe(error, request)
  if (isAppError(error)) {
    if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
    if (error.headers) reply.headers(error.headers)
  }
  const site = await siteOf(service, request)
  const page = layout(
    {
      tenantName: site?.name ?? null,
      lang: site?.defaultLocale ?? 'en',
      title: shown.title,
      requestId: String(request.id),
    },
    problem(shown.message),
  )
  return sendPage(reply, shown.status, page, PAGE_STYLE_SOURCES)
}

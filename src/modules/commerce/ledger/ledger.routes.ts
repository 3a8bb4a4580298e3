/**
 * The ledger's HTTP routes: administrators and finance read accounts, transactions and per-day
 * totals (ledger:read); administrators set the revenue policy and courses' instructor shares
 * (revenue:manage). Schema → service → reply.
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  AccountParams,
  AccountQuery,
  CourseParams,
  CourseRevenueShares,
  DailyTotals,
  DailyTotalsQuery,
  LedgerAccount,
  LedgerTransaction,
  RevenuePolicy,
  RevenuePolicyBody,
  RevenueSharesBody,
  TransactionParams,
  TransactionQuery,
} from './ledger.schemas.ts'
import type { LedgerService } from './ledger.service.ts'
import type { RevenueService } from './revenue.service.ts'

const tags = ['ledger']
const READERS = 'Tenant administrators and finance (ledger:read), and API keys holding it.'
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const SELF =
  "Nobody sets the shares of a course they teach (403 REVENUE_SHARE_SELF_FORBIDDEN, audited): another administrator does. People only (revenue:manage is never an API key's scope); refused while impersonating."

function ledgerReadRoutes(app: App, service: LedgerService) {
  app.get(
    '/v1/commerce/ledger/accounts',
    {
      schema: {
        summary: "List the ledger's accounts with their balances",
        description: `${READERS} Ordered by currency, kind, id. Balances are on each account's normal side (ADR 0024). ${CURSOR}`,
        tags,
        operationId: 'listLedgerAccounts',
        querystring: AccountQuery,
        response: { 200: Type.Ref('LedgerAccountPage') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.listAccounts(request.ctx, request.query),
  )

  app.get(
    '/v1/commerce/ledger/accounts/:accountId',
    {
      schema: {
        summary: 'Get a ledger account and its balance',
        description: `${READERS} Unknown (or another tenant's): 404 LEDGER_ACCOUNT_NOT_FOUND.`,
        tags,
        operationId: 'getLedgerAccount',
        params: AccountParams,
        response: { 200: Type.Ref('LedgerAccount') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.getAccount(request.ctx, request.params.accountId),
  )

  app.get(
    '/v1/commerce/ledger/transactions',
    {
      schema: {
        summary: 'List ledger transactions with their entries',
        description: `${READERS} Newest first (occurredAt, then id). Filters: kind, currency, a sale (saleId: the capture and what concerns it), an occurredAt range. ${CURSOR}`,
        tags,
        operationId: 'listLedgerTransactions',
        querystring: TransactionQuery,
        response: { 200: Type.Ref('LedgerTransactionPage') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.listTransactions(request.ctx, request.query),
  )

  app.get(
    '/v1/commerce/ledger/transactions/:transactionId',
    {
      schema: {
        summary: 'Get a ledger transaction with its entries',
        description: `${READERS} Unknown (or another tenant's): 404 LEDGER_TRANSACTION_NOT_FOUND.`,
        tags,
        operationId: 'getLedgerTransaction',
        params: TransactionParams,
        response: { 200: Type.Ref('LedgerTransaction') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.getTransaction(request.ctx, request.params.transactionId),
  )

  app.get(
    '/v1/commerce/ledger/daily-totals',
    {
      schema: {
        summary: 'Per-day ledger totals for reconciliation with a payment provider',
        description: `${READERS} Per UTC day (by when the event happened at the provider), currency and provider, from the provider's own accounts: captured, refunded, disputed (withdrawn by disputes), reinstated (returned by won disputes), fees (net of fees returned) and net (the change of what the provider holds). A reversal counts against what it reverses, on its own day. From and to are inclusive UTC days (default: the 31 days up to today), at most 366 of them, else 400 INVALID_DATE_RANGE. ${CURSOR}`,
        tags,
        operationId: 'listLedgerDailyTotals',
        querystring: DailyTotalsQuery,
        response: { 200: Type.Ref('LedgerDailyTotalsPage') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.dailyTotals(request.ctx, request.query),
  )
}

function policyRoutes(app: App, service: RevenueService) {
  app.get(
    '/v1/commerce/revenue-policy',
    {
      schema: {
        summary: "The tenant's revenue policy (platform fee)",
        description:
          "The platform's part of every sale's revenue net of tax, in basis points; the rest goes to the course's instructors. Administrators (revenue:manage) and finance (ledger:read). The ETag is the version to send as If-Match.",
        tags,
        operationId: 'getRevenuePolicy',
        response: { 200: Type.Ref('RevenuePolicy') },
      },
      config: { access: tenantAccess({ anyOf: ['revenue:manage', 'ledger:read'] }) },
    },
    async (request, reply) => {
      const policy = await service.getPolicy(request.ctx)
      setEtag(reply, policy.version)
      return policy
    },
  )

  app.put(
    '/v1/commerce/revenue-policy',
    {
      schema: {
        summary: "Set the tenant's platform fee",
        description:
          'Administrators (revenue:manage), people only; refused while impersonating. Applies to captures from now on (sales already captured keep their split). Audited (commerce.platform_fee_changed, with both values). If-Match is checked when sent (412 when it changed since; "v0" before the first change).',
        tags,
        operationId: 'setRevenuePolicy',
        body: RevenuePolicyBody,
        response: { 200: Type.Ref('RevenuePolicy') },
      },
      config: {
        access: tenantAccess({ allOf: ['revenue:manage'], peopleOnly: true }),
        ifMatch: 'optional',
        privileged: true,
      },
    },
    async (request, reply) => {
      const policy = await service.setPolicy(request.ctx, expectedVersion(request), request.body.platformFeeBps)
      setEtag(reply, policy.version)
      return policy
    },
  )
}

function sharesRoutes(app: App, service: RevenueService) {
  app.get(
    '/v1/courses/:courseId/revenue-shares',
    {
      schema: {
        summary: "A course's instructor revenue shares",
        description:
          "How the instructors' part of the course's sales is split: configured shares (basis points summing to 10,000) of the instructors who still teach it, or by default an equal split among them (source). Administrators (revenue:manage), finance (ledger:read), and the course's own instructors (others 403 REVENUE_SHARES_FORBIDDEN). Unknown course: 404 COURSE_NOT_FOUND.",
        tags,
        operationId: 'getCourseRevenueShares',
        params: CourseParams,
        response: { 200: Type.Ref('CourseRevenueShares') },
      },
      config: { access: tenantAccess({ anyOf: ['revenue:manage', 'ledger:read', 'courses:author'] }) },
    },
    async (request) => service.getShares(request.ctx, request.params.courseId),
  )

  app.put(
    '/v1/courses/:courseId/revenue-shares',
    {
      schema: {
        summary: "Set a course's instructor revenue shares",
        description: `Replaces the course's shares: each a current instructor of the course (422 REVENUE_SHARE_NOT_INSTRUCTOR), listed once (422 REVENUE_SHARE_DUPLICATE), summing to 10,000 basis points (422 REVENUE_SHARES_TOTAL); an instructor left out gets nothing. Applies to captures from now on. ${SELF} Audited (commerce.revenue_shares_set, with the shares replaced). Unknown course: 404 COURSE_NOT_FOUND.`,
        tags,
        operationId: 'setCourseRevenueShares',
        params: CourseParams,
        body: RevenueSharesBody,
        response: { 200: Type.Ref('CourseRevenueShares') },
      },
      config: { access: tenantAccess({ allOf: ['revenue:manage'], peopleOnly: true }), privileged: true },
    },
    async (request) => service.setShares(request.ctx, request.params.courseId, request.body),
  )

  app.delete(
    '/v1/courses/:courseId/revenue-shares',
    {
      schema: {
        summary: 'Return a course to the equal split',
        description: `Removes the configured shares: sales then split equally among the course's instructors. ${SELF} Audited (commerce.revenue_shares_cleared) when there was something to remove. Unknown course: 404 COURSE_NOT_FOUND.`,
        tags,
        operationId: 'clearCourseRevenueShares',
        params: CourseParams,
        response: { 204: Type.Null({ description: 'The course uses the equal split' }) },
      },
      config: { access: tenantAccess({ allOf: ['revenue:manage'], peopleOnly: true }), privileged: true },
    },
    async (request, reply) => {
      await service.clearShares(request.ctx, request.params.courseId)
      return reply.status(204).send(null)
    },
  )
}

export function createLedgerRoutes(ledger: LedgerService, revenue: RevenueService) {
  return async function routes(app: App) {
    app.addSchema(LedgerAccount)
    app.addSchema(Page(Type.Ref('LedgerAccount'), 'LedgerAccountPage'))
    app.addSchema(LedgerTransaction)
    app.addSchema(Page(Type.Ref('LedgerTransaction'), 'LedgerTransactionPage'))
    app.addSchema(DailyTotals)
    app.addSchema(Page(Type.Ref('LedgerDailyTotals'), 'LedgerDailyTotalsPage'))
    app.addSchema(RevenuePolicy)
    app.addSchema(CourseRevenueShares)
    ledgerReadRoutes(app, ledger)
    policyRoutes(app, revenue)
    sharesRoutes(app, revenue)
  }
}

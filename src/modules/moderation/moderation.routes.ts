/** Routes of reports and the moderators' queue: schema → service → reply (docs/moderation.md). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import type { AppealsService } from './appeals.service.ts'
import type { CasesService } from './cases.service.ts'
import type { ReportsService } from './reports.service.ts'
import {
  CaseParams,
  CasesQuery,
  CommunityParams,
  CreateReportBody,
  FollowUpSettings,
  MODERATION_SCHEMAS,
  WordFilter,
} from './moderation.schemas.ts'
import type { SettingsService } from './settings.service.ts'
import type { WordFilterService } from './word-filter.service.ts'
import { MODERATION_LIMITS } from './moderation.vocabulary.ts'

export const tags = ['moderation']
/** People only, never an impersonator: nobody reports or moderates in someone's name. */
export const people = { access: tenantAccess({ peopleOnly: true }), privileged: true } as const
export const CASE_404 =
  'A case you do not moderate (no posts:moderate in its community, or unknown) is 404 MODERATION_CASE_NOT_FOUND; a case about you or your content is 403 MODERATION_OWN_CASE.'
const FILTERS =
  'Newest first. Filters: status (open, escalated, closed), severityMin (0-100), targetKind (user, post, comment), assigned=me. Cases about you are never listed.'

export function moderationRoutes(
  app: App,
  services: {
    reports: ReportsService
    cases: CasesService
    appeals: AppealsService
    settings: SettingsService
    wordFilter: WordFilterService
  },
) {
  const { reports, cases, appeals, settings, wordFilter } = services
  for (const schema of MODERATION_SCHEMAS) app.addSchema(schema)

  app.post(
    '/v1/moderation/reports',
    {
      schema: {
        summary: 'Report a member, a post or a comment',
        description: `You must see the target (a reader of its community; a post or comment you may read): otherwise 404 (COMMUNITY_NOT_FOUND, POST_NOT_FOUND, COMMENT_NOT_FOUND, REPORT_TARGET_NOT_FOUND). A member is reported in a community (communityId, 400 REPORT_COMMUNITY_REQUIRED without it). Yourself or your own content: 403 REPORT_OF_SELF. One report per target while its case is open: 409 REPORT_ALREADY_OPEN. At most ${MODERATION_LIMITS.reportsPerMinute} reports a minute: 429 REPORT_RATE_LIMITED. The report joins the target's open case or opens one (moderation.case_opened); its severity is computed from the reports, never sent.`,
        tags,
        operationId: 'createModerationReport',
        body: CreateReportBody,
        response: { 201: Type.Ref('ModerationReport') },
      },
      config: people,
    },
    async (request, reply) => reply.code(201).send(await reports.create(request.ctx, request.body)),
  )

  app.get(
    '/v1/communities/:communityId/moderation/cases',
    {
      schema: {
        summary: "A community's moderation queue",
        description: `Moderators (posts:moderate; 403 COMMUNITY_PERMISSION_REQUIRED). ${FILTERS}`,
        tags,
        operationId: 'listCommunityModerationCases',
        params: CommunityParams,
        querystring: CasesQuery,
        response: { 200: Type.Ref('ModerationCasePage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => cases.communityQueue(request.ctx, request.params.communityId, request.query),
  )

  app.get(
    '/v1/moderation/cases',
    {
      schema: {
        summary: "The tenant's moderation queue: every community's cases and the tenant cases (DMs)",
        description: `Tenant staff: communities:manage sees every community's cases, members:manage the tenant cases (direct messages). ${FILTERS}`,
        tags,
        operationId: 'listModerationCases',
        querystring: CasesQuery,
        response: { 200: Type.Ref('ModerationCasePage') },
      },
      config: { access: tenantAccess({ anyOf: ['communities:manage', 'members:manage'] }) },
    },
    async (request) => cases.tenantQueue(request.ctx, request.query),
  )

  app.get(
    '/v1/moderation/cases/:caseId',
    {
      schema: {
        summary: 'A case with its reports, actions and appeals',
        description: `Reports show their reporters and the target's snapshot taken at report time. ${CASE_404}`,
        tags,
        operationId: 'getModerationCase',
        params: CaseParams,
        response: { 200: Type.Ref('ModerationCaseDetail') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => cases.detail(request.ctx, request.params.caseId),
  )

  app.post(
    '/v1/moderation/cases/:caseId/claim',
    {
      schema: {
        summary: 'Claim a case',
        description: `Assigns the case to you (audited); a closed case is 409 MODERATION_CASE_CLOSED. ${CASE_404}`,
        tags,
        operationId: 'claimModerationCase',
        params: CaseParams,
        response: { 200: Type.Ref('ModerationCase') },
      },
      config: people,
    },
    async (request) => cases.claim(request.ctx, request.params.caseId),
  )

  for (const [verb, summary, rule] of [
    ['dismiss', 'Dismiss a case', 'No action may be in force (409 MODERATION_CASE_HAS_ACTIONS: undo them first).'],
    ['resolve', 'Resolve a case', 'An action must be in force (409 MODERATION_CASE_HAS_NO_ACTION: dismiss instead).'],
  ] as const)
    app.post(
      `/v1/moderation/cases/:caseId/${verb}`,
      {
        schema: {
          summary,
          description: `Closes the case (audited, moderation.case_closed). ${rule} A closed case is 409 MODERATION_CASE_CLOSED. ${CASE_404}`,
          tags,
          operationId: `${verb}ModerationCase`,
          params: CaseParams,
          response: { 200: Type.Ref('ModerationCase') },
        },
        config: people,
      },
      async (request) => cases[verb](request.ctx, request.params.caseId),
    )

  app.get(
    '/v1/me/moderation-actions',
    {
      schema: {
        summary: 'Moderation actions taken against you',
        description:
          'Hidden or deleted content of yours, suspensions and bans, newest first: each may be appealed once.',
        tags,
        operationId: 'listMyModerationActions',
        querystring: PageQuery,
        response: { 200: Type.Ref('ModerationActionPage') },
      },
      config: { access: tenantAccess({ peopleOnly: true }) },
    },
    async (request) => appeals.mine(request.ctx, request.query),
  )

  app.get(
    '/v1/communities/:communityId/moderation/settings',
    {
      schema: {
        summary: "A community's moderation follow-up delays",
        description: 'Moderators (posts:moderate). Hours after a case opens: escalate, reject (expire), suppress.',
        tags,
        operationId: 'getModerationSettings',
        params: CommunityParams,
        response: { 200: Type.Ref('ModerationFollowUpSettings') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => settings.get(request.ctx, request.params.communityId),
  )

  app.put(
    '/v1/communities/:communityId/moderation/settings',
    {
      schema: {
        summary: "Set a community's moderation follow-up delays",
        description:
          'community:manage (403 COMMUNITY_PERMISSION_REQUIRED). Each delay within its bounds (400 otherwise); audited. New cases follow them; jobs already sent re-check the delay when they run.',
        tags,
        operationId: 'putModerationSettings',
        params: CommunityParams,
        body: FollowUpSettings,
        response: { 200: Type.Ref('ModerationFollowUpSettings') },
      },
      config: people,
    },
    async (request) => settings.put(request.ctx, request.params.communityId, request.body),
  )

  app.get(
    '/v1/communities/:communityId/moderation/word-filter',
    {
      schema: {
        summary: "A community's word filter",
        description: 'Moderators (posts:moderate). The phrases in their normal form (lower case, diacritics folded).',
        tags,
        operationId: 'getModerationWordFilter',
        params: CommunityParams,
        response: { 200: Type.Ref('ModerationWordFilter') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => wordFilter.get(request.ctx, request.params.communityId),
  )

  app.put(
    '/v1/communities/:communityId/moderation/word-filter',
    {
      schema: {
        summary: "Replace a community's word filter",
        description:
          'Moderators (posts:moderate); audited. A post or comment written or edited afterwards that contains a phrase (whole words, case and diacritics folded) is held: published hidden (its author sees it as hidden), with a system hide action on its case (moderation.case_opened, signal word_filter); a moderator releases it by undoing that action or removes it with a delete. 400 WORD_FILTER_PHRASE_EMPTY, WORD_FILTER_PHRASE_TOO_LONG.',
        tags,
        operationId: 'putModerationWordFilter',
        params: CommunityParams,
        body: WordFilter,
        response: { 200: Type.Ref('ModerationWordFilter') },
      },
      config: people,
    },
    async (request) => wordFilter.put(request.ctx, request.params.communityId, request.body.phrases),
  )
}

/** Routes of moderator actions and appeals: schema → service → reply (docs/moderation.md). */
import { Type } from 'typebox'
import type { App } from '../../platform/http/server.ts'
import type { ActionsService } from './actions.service.ts'
import type { AppealsService } from './appeals.service.ts'
import {
  ActionParams,
  AppealBody,
  AppealParams,
  CaseParams,
  DecisionBody,
  TakeActionBody,
} from './moderation.schemas.ts'
import { CASE_404, people, tags } from './moderation.routes.ts'

export function actionRoutes(app: App, actions: ActionsService, appeals: AppealsService) {
  app.post(
    '/v1/moderation/cases/:caseId/actions',
    {
      schema: {
        summary: 'Act on a case',
        description: `hide or delete the content (posts:moderate), suspend (until, within 366 days; members:suspend) or ban (members:ban) its author in the community, by the community's rules (rank: 403 COMMUNITY_RANK_REQUIRED). Audited; moderation.action_taken. hide/delete of a member case is 409 MODERATION_ACTION_NOT_APPLICABLE; the same kind in force is 409 MODERATION_ACTION_IN_FORCE; deleted content 409 MODERATION_CONTENT_GONE; a closed case 409 MODERATION_CASE_CLOSED. ${CASE_404}`,
        tags,
        operationId: 'takeModerationAction',
        params: CaseParams,
        body: TakeActionBody,
        response: { 201: Type.Ref('ModerationAction') },
      },
      config: people,
    },
    async (request, reply) =>
      reply.code(201).send(await actions.take(request.ctx, request.params.caseId, request.body)),
  )

  app.post(
    '/v1/moderation/actions/:actionId/undo',
    {
      schema: {
        summary: 'Undo an action',
        description:
          'The permission the action needed, in its community; not the action’s subject. Shows the content again, restores it, lifts the suspension or the ban (by the community’s rank rules). Audited; moderation.action_undone. Already undone: 409 MODERATION_ACTION_UNDONE. An action you may not see is 404 MODERATION_ACTION_NOT_FOUND.',
        tags,
        operationId: 'undoModerationAction',
        params: ActionParams,
        response: { 200: Type.Ref('ModerationAction') },
      },
      config: people,
    },
    async (request) => actions.undo(request.ctx, request.params.actionId),
  )

  app.post(
    '/v1/moderation/actions/:actionId/appeal',
    {
      schema: {
        summary: 'Appeal an action taken against you',
        description:
          'The action’s subject only (anyone else: 404 MODERATION_ACTION_NOT_FOUND), once per action (409 MODERATION_APPEAL_EXISTS), while it is in force (409 MODERATION_ACTION_UNDONE). Audited.',
        tags,
        operationId: 'appealModerationAction',
        params: ActionParams,
        body: AppealBody,
        response: { 201: Type.Ref('ModerationAppeal') },
      },
      config: people,
    },
    async (request, reply) =>
      reply.code(201).send(await appeals.file(request.ctx, request.params.actionId, request.body.statement)),
  )

  app.get(
    '/v1/moderation/appeals/:appealId',
    {
      schema: {
        summary: 'An appeal',
        description:
          'Its appellant, or a moderator holding the action’s permission; anyone else: 404 MODERATION_APPEAL_NOT_FOUND.',
        tags,
        operationId: 'getModerationAppeal',
        params: AppealParams,
        response: { 200: Type.Ref('ModerationAppeal') },
      },
      config: people,
    },
    async (request) => appeals.get(request.ctx, request.params.appealId),
  )

  app.post(
    '/v1/moderation/appeals/:appealId/decision',
    {
      schema: {
        summary: 'Decide an appeal',
        description:
          'A moderator holding the action’s permission who did not take the action and is not the appellant (403 MODERATION_APPEAL_SAME_MODERATOR). granted undoes the action; denied leaves it. Once: 409 MODERATION_APPEAL_DECIDED. Audited; moderation.appeal_decided.',
        tags,
        operationId: 'decideModerationAppeal',
        params: AppealParams,
        body: DecisionBody,
        response: { 200: Type.Ref('ModerationAppeal') },
      },
      config: people,
    },
    async (request) => appeals.decide(request.ctx, request.params.appealId, request.body),
  )
}

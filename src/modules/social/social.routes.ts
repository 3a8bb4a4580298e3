/**
 * The social module's HTTP surface: settings, the tenant's DM minimum, the allow-list and the
 * relationship here; follows, blocks and mutes in graph.routes.ts; direct messages in
 * messages/messages.routes.ts. Schema → service → reply.
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { registerGraphRoutes } from './graph.routes.ts'
import type { GraphService } from './graph.service.ts'
import { registerMessageRoutes } from './messages/messages.routes.ts'
import { registerMessageSchemas } from './messages/messages.schemas.ts'
import type { MessagesService } from './messages/messages.service.ts'
import type { ThreadsService } from './messages/threads.service.ts'
import { MAX_ALLOW_LIST, type SettingsService } from './settings.service.ts'
import {
  DmPolicy,
  DmPolicyBody,
  Follow,
  FollowPage,
  MemberEntry,
  MemberEntryPage,
  Relationship,
  SocialSettings,
  SocialSettingsBody,
  UserParams,
} from './social.schemas.ts'

const tags = ['social']
const own = { access: tenantAccess(), privileged: true } as const
const TARGET =
  'A user who is not a member of this tenant is 404 USER_NOT_FOUND; naming yourself is 400 SOCIAL_SELF_TARGET.'

function settingsRoutes(app: App, service: SettingsService) {
  app.get(
    '/v1/me/social-settings',
    {
      schema: {
        summary: 'Your social settings',
        description: 'Profile visibility and who may start a direct message with you (defaults: public, anyone).',
        tags,
        operationId: 'getSocialSettings',
        response: { 200: Type.Ref('SocialSettings') },
      },
      config: own,
    },
    async (request) => service.settings(request.ctx),
  )

  app.put(
    '/v1/me/social-settings',
    {
      schema: {
        summary: 'Change your social settings',
        description:
          'Replaces both settings. A stricter message permission applies to every new conversation and to conversations you have not answered yet; making your profile public leaves pending follow requests for you to decide.',
        tags,
        operationId: 'putSocialSettings',
        body: SocialSettingsBody,
        response: { 200: Type.Ref('SocialSettings') },
      },
      config: own,
    },
    async (request) => service.saveSettings(request.ctx, request.body),
  )

  app.get(
    '/v1/social/dm-policy',
    {
      schema: {
        summary: "The tenant's minimum for messaging non-followers",
        description:
          'What a member must meet to start a direct message with someone they do not follow (a recipient’s allow-list passes them anyway). Readable by every member.',
        tags,
        operationId: 'getDmPolicy',
        response: { 200: Type.Ref('DmPolicy') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.policy(request.ctx),
  )

  app.put(
    '/v1/social/dm-policy',
    {
      schema: {
        summary: "Set the tenant's minimum for messaging non-followers",
        description:
          'Tenant administrators (tenant:manage), people only. Applies to every new conversation and to messages to members who have not answered yet. Audited (social.dm_policy_changed, before and after).',
        tags,
        operationId: 'putDmPolicy',
        body: DmPolicyBody,
        response: { 200: Type.Ref('DmPolicy') },
      },
      config: { access: tenantAccess({ allOf: ['tenant:manage'], peopleOnly: true }), privileged: true },
    },
    async (request) => service.savePolicy(request.ctx, request.body),
  )

  app.get(
    '/v1/users/:userId/relationship',
    {
      schema: {
        summary: 'How you stand towards a member',
        description: `Follows both ways, blocks both ways, your mute and allow-list entry, and whether you may message them now (canMessage, with the DM_NOT_ALLOWED reason when not). ${TARGET}`,
        tags,
        operationId: 'getRelationship',
        params: UserParams,
        response: { 200: Type.Ref('SocialRelationship') },
      },
      config: own,
    },
    async (request) => service.relationship(request.ctx, request.params.userId),
  )
}

function allowListRoutes(app: App, service: SettingsService) {
  const EntryRef = Type.Ref('SocialMemberEntry')
  app.put(
    '/v1/me/dm-allow-list/:userId',
    {
      schema: {
        summary: 'Let a member always start a direct message with you',
        description: `Passes your message permission and the tenant's minimum, never a block. At most ${MAX_ALLOW_LIST} members (409 DM_ALLOW_LIST_FULL). 201 when new, 200 when already there. ${TARGET}`,
        tags,
        operationId: 'allowDirectMessages',
        params: UserParams,
        response: { 200: EntryRef, 201: EntryRef },
      },
      config: own,
    },
    async (request, reply) => {
      const { entry, created } = await service.allow(request.ctx, request.params.userId)
      return reply.code(created ? 201 : 200).send(entry)
    },
  )

  app.delete(
    '/v1/me/dm-allow-list/:userId',
    {
      schema: {
        summary: 'Remove a member from your DM allow-list',
        description: TARGET,
        tags,
        operationId: 'disallowDirectMessages',
        params: UserParams,
        response: { 204: Type.Null({ description: 'Not on the list any more' }) },
      },
      config: own,
    },
    async (request, reply) => {
      await service.disallow(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/dm-allow-list',
    {
      schema: {
        summary: 'Your DM allow-list',
        description: 'Newest first. A cursor this API did not issue is 400 INVALID_CURSOR.',
        tags,
        operationId: 'listDmAllowList',
        querystring: PageQuery,
        response: { 200: Type.Ref('SocialMemberEntryPage') },
      },
      config: own,
    },
    async (request) => service.listAllowed(request.ctx, request.query),
  )
}

export interface SocialRouteServices {
  settings: SettingsService
  graph: GraphService
  threads: ThreadsService
  messages: MessagesService
}

export function createSocialRoutes(services: SocialRouteServices) {
  return async function routes(app: App) {
    for (const schema of [SocialSettings, DmPolicy, Follow, FollowPage, MemberEntry, MemberEntryPage, Relationship])
      app.addSchema(schema)
    registerMessageSchemas(app)
    settingsRoutes(app, services.settings)
    allowListRoutes(app, services.settings)
    registerGraphRoutes(app, services.graph)
    registerMessageRoutes(app, services.threads, services.messages)
  }
}

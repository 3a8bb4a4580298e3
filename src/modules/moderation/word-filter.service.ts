/**
 * A community's word filter: its moderators (posts:moderate) read and replace the phrase list
 * (at most WORD_FILTER_LIMITS.phrases, stored normalised: case and diacritics folded), audited.
 * `screen` is the content screen community calls when a post or comment is written or edited:
 * a match hides the item in the writer's transaction (held: its author sees it as hidden), as a
 * system `hide` action on the target's open case (opened if none, with the word_filter signal),
 * which a moderator releases by undoing it or settles by deleting the content.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { requireCommunityPermission, setContentHidden, type ScreenInput } from '../community/index.ts'
import { MODERATION_ACTION_TAKEN, type ActionTakenPayload } from './moderation.events.ts'
import { moderationErrors } from './moderation.errors.ts'
import { actions, cases, wordFilterPhrases } from './moderation.tables.ts'
import { announceOpened, openCaseFor } from './reports.service.ts'
import { refreshSeverity } from './severity-facts.ts'
import { compileFilter, firstMatch, normalisePhrase, WORD_FILTER_LIMITS } from './word-filter.ts'

async function phrasesOf(tx: Tx, communityId: string): Promise<string[]> {
  const rows = await tx
    .select({ phrase: wordFilterPhrases.phrase })
    .from(wordFilterPhrases)
    .where(eq(wordFilterPhrases.communityId, communityId))
    .orderBy(wordFilterPhrases.phrase)
  return rows.map((row) => row.phrase)
}

export function createWordFilterService(deps: { events: EventPublisher; jobs: Jobs }) {
  return {
    async get(ctx: RequestContext, communityId: string): Promise<{ phrases: string[] }> {
      return ctx.inTenant(async (tx) => {
        await requireCommunityPermission(tx, ctx, communityId, 'posts:moderate')
        return { phrases: await phrasesOf(tx, communityId) }
      })
    },

    async put(ctx: RequestContext, communityId: string, phrases: string[]): Promise<{ phrases: string[] }> {
      const normal = [...new Set(phrases.map(normalisePhrase))]
      if (normal.includes('')) throw moderationErrors.phraseWithoutWords()
      if (normal.some((phrase) => phrase.split(' ').length > WORD_FILTER_LIMITS.maxPhraseWords))
        throw moderationErrors.phraseTooLong(WORD_FILTER_LIMITS.maxPhraseWords)
      return ctx.inTenant(async (tx) => {
        await requireCommunityPermission(tx, ctx, communityId, 'posts:moderate')
        const before = await phrasesOf(tx, communityId)
        await tx.delete(wordFilterPhrases).where(eq(wordFilterPhrases.communityId, communityId))
        if (normal.length > 0)
          await tx
            .insert(wordFilterPhrases)
            .values(normal.map((phrase) => ({ communityId, phrase, tenantId: ctx.tenantId! })))
        await recordAudit(tx, ctx, {
          action: 'moderation.word_filter_changed',
          targetType: 'community',
          targetId: communityId,
          details: { before: before.length, after: normal.length },
        })
        return { phrases: await phrasesOf(tx, communityId) }
      })
    },

    /** The content screen (community's ContentScreen). */
    async screen(tx: Tx, ctx: RequestContext, input: ScreenInput): Promise<{ held: boolean }> {
      const phrases = await phrasesOf(tx, input.communityId)
      const match = firstMatch(compileFilter(phrases), input.text)
      if (match === null) return { held: false }
      const tenantId = ctx.tenantId!
      const snapshot = {
        kind: input.kind,
        authorId: input.authorId,
        communityId: input.communityId,
        title: null,
        body: null,
        postId: null,
      }
      const { row, opened } = await openCaseFor(tx, tenantId, snapshot, input.id)
      await tx.update(cases).set({ wordFilterMatch: match }).where(eq(cases.id, row.id))
      const { row: updated } = await refreshSeverity(tx, { ...row, wordFilterMatch: match })
      if (opened) await announceOpened(tx, ctx, deps, updated)
      const [held] = await tx
        .select({ id: actions.id })
        .from(actions)
        .where(and(eq(actions.caseId, row.id), eq(actions.kind, 'hide'), isNull(actions.undoneAt)))
      if (held) return { held: true }
      await setContentHidden(tx, input.kind, input.id, true)
      const [action] = await tx
        .insert(actions)
        .values({
          tenantId,
          caseId: row.id,
          kind: 'hide',
          subjectUserId: input.authorId,
          reason: `Held by the community's word filter ("${match}")`,
          takenBy: null,
        })
        .returning()
      await recordAudit(tx, ctx, {
        action: 'moderation.action_taken',
        targetType: 'moderation_action',
        targetId: action!.id,
        details: { caseId: row.id, kind: 'hide', system: true, wordFilter: match },
      })
      const payload: ActionTakenPayload = {
        caseId: row.id,
        communityId: row.communityId,
        targetKind: row.targetKind,
        targetId: row.targetId,
        at: new Date().toISOString(),
        actionId: action!.id,
        kind: 'hide',
        subjectUserId: input.authorId,
        takenBy: null,
      }
      await deps.events.publish(tx, ctx, { type: MODERATION_ACTION_TAKEN, payload })
      return { held: true }
    },
  }
}

export type WordFilterService = ReturnType<typeof createWordFilterService>

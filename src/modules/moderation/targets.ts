/**
 * The one place moderation meets the modules that own its targets: what a target is now (its
 * author, whether it is gone or hidden) and hiding or deleting it through the owner's index.ts
 * (community for posts and comments, chat for channel messages, social for direct messages). A
 * member (`user`) has no content.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { channelMessageFacts, setChannelMessageHidden } from '../chat/index.ts'
import { contentFacts, setContentDeleted, setContentHidden } from '../community/index.ts'
import { dmMessageFacts, setDmMessageHidden } from '../social/index.ts'
import type { ActionKind, TargetKind } from './moderation.vocabulary.ts'

export interface TargetState {
  gone: boolean
  hidden: boolean
}

/** The content target's state, or null for a member target or content that does not exist. */
export async function targetState(tx: Tx, kind: TargetKind, id: string): Promise<TargetState | null> {
  if (kind === 'user') return null
  if (kind === 'channel_message') {
    const facts = await channelMessageFacts(tx, id)
    return facts ? { gone: facts.deleted, hidden: facts.hidden } : null
  }
  if (kind === 'dm_message') {
    const facts = await dmMessageFacts(tx, id)
    return facts ? { gone: facts.deleted, hidden: facts.hidden } : null
  }
  const facts = await contentFacts(tx, kind, id)
  return facts ? { gone: facts.deleted, hidden: facts.hidden } : null
}

/**
 * Whether an action of `action` applies to a target of `kind`: a chat or direct message is never
 * deleted (see chat and social), and a direct message's sender has no community to be suspended
 * or banned in (a tenant case only hides).
 */
export function applies(action: ActionKind, kind: TargetKind): boolean {
  if (action === 'hide') return kind !== 'user'
  if (action === 'delete') return kind === 'post' || kind === 'comment'
  return kind !== 'dm_message'
}

/** Hides or shows the content; false when it already was so. */
export async function setHidden(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  target: { kind: TargetKind; id: string },
  hidden: boolean,
  by: string | null,
): Promise<boolean> {
  if (target.kind === 'user') return false
  if (target.kind === 'channel_message') return setChannelMessageHidden(tx, ctx, events, target.id, hidden, by)
  if (target.kind === 'dm_message') return setDmMessageHidden(tx, ctx, events, target.id, hidden)
  return setContentHidden(tx, target.kind, target.id, hidden)
}

/** Deletes or restores a post or comment; false when it already was so. */
export async function setDeleted(
  tx: Tx,
  target: { kind: TargetKind; id: string },
  deleted: boolean,
  by: string | null,
): Promise<boolean> {
  if (target.kind !== 'post' && target.kind !== 'comment') return false
  return setContentDeleted(tx, target.kind, target.id, deleted, by)
}

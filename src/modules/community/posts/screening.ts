/**
 * The screen posts and comments pass when written or edited: a port the moderation module fills
 * (its word filter) through createCommunityModule().setContentScreen, so community never imports
 * moderation. Without a screen, nothing is held. A held item is hidden (hidden_at) by the screen
 * in the writer's transaction: published, but visible only to its author (as hidden) and to the
 * moderators until one releases it.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'

export interface ScreenInput {
  communityId: string
  kind: 'post' | 'comment'
  id: string
  authorId: string
  text: string
}

export type ContentScreen = (tx: Tx, ctx: RequestContext, input: ScreenInput) => Promise<{ held: boolean }>

/** Filled once at composition; read on every write. */
export interface ScreenSlot {
  screen: ContentScreen | null
}

export async function screen(slot: ScreenSlot, tx: Tx, ctx: RequestContext, input: ScreenInput): Promise<boolean> {
  if (!slot.screen) return false
  return (await slot.screen(tx, ctx, input)).held
}

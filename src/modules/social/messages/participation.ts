/**
 * Who takes part in a DM thread: what the realtime gateway's authoriser asks before a member
 * joins a thread's room (and again when the membership may have changed), in the caller's
 * transaction.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { threadsRepository as threads } from './threads.repository.ts'

/** Whether `userId` takes part in the thread now (someone who left or was removed does not). */
export async function isThreadParticipant(tx: Tx, threadId: string, userId: string): Promise<boolean> {
  return (await threads.forParticipant(tx, threadId, userId)) !== undefined
}

/** The ids of those taking part now (empty for an unknown thread or another tenant's). */
export async function threadParticipantIds(tx: Tx, threadId: string): Promise<string[]> {
  return (await threads.participants(tx, threadId)).map((p) => p.userId)
}

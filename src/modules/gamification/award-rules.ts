/**
 * Whether an action earns points, and how many: a pure function of the facts awards.ts gathers,
 * so every anti-farming rule is tested without a database (like enrolment/entitlement.ts).
 *
 * 1. Nobody earns from their own action on their own content (reacting to one's own post,
 *    accepting one's own comment): nothing is awarded and nothing is logged.
 * 2. Rings: awards that one member gives another (a reaction received, an accepted answer) are
 *    counted per direction over the tenant's window. When both directions of a pair exist and the
 *    pair's awards, this one included, exceed the threshold, the award is withheld (0 points,
 *    `ring_suspected`) and the pair is flagged; the same for a cycle of three (giver → recipient →
 *    third → giver), counting its three edges.
 * 3. The daily cap of the action's type: what is left of it today (UTC) is awarded, the rest cut
 *    (`daily_cap`, possibly 0 points).
 */
import type { EntryReason } from './gamification.vocabulary.ts'

/** Awards with points given along one edge (giver → recipient) within the window. */
export interface RingEdges {
  /** giver → recipient (the edge this award would add to). */
  forward: number
  /** recipient → giver. */
  backward: number
  /** Thirds that close a cycle: recipient → third and third → giver, with their counts. */
  triangles: Array<{ thirdId: string; recipientToThird: number; thirdToGiver: number }>
}

export interface AwardFacts {
  recipientId: string
  /** Who caused it (the reactor, the accepter); undefined for one's own actions (posting, learning). */
  giverId: string | undefined
  points: number
  dailyCap: number
  /** Points of this type the recipient already earned today (UTC). */
  earnedToday: number
  /** Undefined when there is no giver. */
  edges: RingEdges | undefined
  ringThreshold: number
}

export interface SuspectedRing {
  kind: 'pair' | 'triangle'
  /** Sorted, so one ring is one flag whoever triggers it. */
  memberIds: string[]
}

export type AwardDecision =
  | { award: false; why: 'self' | 'nothing_to_award' }
  | { award: true; points: number; reason: EntryReason; ring?: SuspectedRing }

export function decideAward(facts: AwardFacts): AwardDecision {
  if (facts.giverId === facts.recipientId) return { award: false, why: 'self' }
  if (facts.points <= 0) return { award: false, why: 'nothing_to_award' }
  const ring =
    facts.giverId && facts.edges
      ? suspectedRing(facts.giverId, facts.recipientId, facts.edges, facts.ringThreshold)
      : undefined
  if (ring) return { award: true, points: 0, reason: 'ring_suspected', ring }
  const left = Math.max(0, facts.dailyCap - facts.earnedToday)
  if (left < facts.points) return { award: true, points: left, reason: 'daily_cap' }
  return { award: true, points: facts.points, reason: 'awarded' }
}

/** The ring this award would feed, if any: the pair first, then the busiest triangle. */
export function suspectedRing(
  giverId: string,
  recipientId: string,
  edges: RingEdges,
  threshold: number,
): SuspectedRing | undefined {
  if (edges.backward > 0 && edges.forward + edges.backward + 1 > threshold)
    return { kind: 'pair', memberIds: [giverId, recipientId].sort() }
  for (const triangle of edges.triangles) {
    if (triangle.recipientToThird <= 0 || triangle.thirdToGiver <= 0) continue
    if (triangle.thirdId === giverId || triangle.thirdId === recipientId) continue
    if (edges.forward + triangle.recipientToThird + triangle.thirdToGiver + 1 > threshold)
      return { kind: 'triangle', memberIds: [giverId, recipientId, triangle.thirdId].sort() }
  }
  return undefined
}

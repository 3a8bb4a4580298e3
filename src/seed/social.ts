/**
 * The social area of the development seed, made through the public API by the demo learners
 * (ADR 0012): Maya follows Tomás, and the two have a one-to-one conversation of a few messages.
 * Idempotent: the follow answers 200 when it exists, the conversation is one per pair (answered as
 * it is), and its messages are only written while it has none; each send carries a stable
 * Idempotency-Key, so a run interrupted half way replays what it sent instead of sending twice.
 */
import { actorOf, type SeedArea, type SeedContext } from './areas.ts'

export interface DemoConversation {
  /** Demo account emails: the first follows the second and starts the conversation. */
  between: [string, string]
  /** Messages in order, each by the first (0) or the second (1) person. */
  messages: Array<{ by: 0 | 1; body: string }>
}

export const DEMO_CONVERSATION: DemoConversation = {
  between: ['maya@demo.localhost', 'tomas@demo.localhost'],
  messages: [
    { by: 0, body: 'Hi Tomás! Congratulations on the pandas certificate. Was the groupby assignment hard?' },
    { by: 1, body: 'Thanks Maya! It took me two tries: the trick is to think about the index first.' },
    { by: 0, body: 'Good to know, mine is waiting for a grade. I am half way through Python, want to compare notes?' },
    { by: 1, body: 'Gladly, I am starting Python this week.' },
  ],
}

export function socialArea(spec: DemoConversation = DEMO_CONVERSATION): SeedArea {
  return {
    name: 'social',
    version: 1,
    summary: `${spec.between[0]} follows ${spec.between[1]}; a conversation of ${spec.messages.length} direct messages between them`,
    run: (ctx) => seedConversation(ctx, spec),
  }
}

async function seedConversation(ctx: SeedContext, spec: DemoConversation): Promise<void> {
  const { api, accounts } = ctx
  const people = spec.between.map((email) => actorOf(ctx, accounts.people.get(email), email))
  const [first, second] = people as [(typeof people)[number], (typeof people)[number]]
  const firstToken = await first.token()
  await api.call('PUT', `/v1/me/following/${second.userId}`, { token: firstToken, expect: [200, 201] })
  const thread = await api.call<{ id: string; lastSeq: number }>('POST', '/v1/dm/threads', {
    token: firstToken,
    payload: { participantIds: [second.userId] },
    expect: [200, 201],
  })
  // Written before: left as the two left it.
  if (thread.body.lastSeq > 0) return
  for (const [index, message] of spec.messages.entries()) {
    const sender = people[message.by]!
    await api.call('POST', `/v1/dm/threads/${thread.body.id}/messages`, {
      token: await sender.token(),
      idempotencyKey: `demo-seed-dm:${thread.body.id}:${index}`,
      payload: { body: message.body },
      expect: [201],
    })
  }
}

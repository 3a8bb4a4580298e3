/**
 * The live side of the inbox: each new item is pushed to its member's own room (`user:<id>`, which
 * every connection joins) as `notification.created`, with the unread count for the badge. The push
 * is a job sent with the item, so it happens after commit and at least once: a client dedupes by id
 * and catches up over GET /v1/me/notifications.
 */
import { Type } from 'typebox'
import { tenantScope, type Database } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/types.ts'
import type { RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { presentItem, unreadCountOf } from './inbox.service.ts'
import { PUSH_INBOX_QUEUE, type PushInboxJob } from './notifications.jobs.ts'
import { Notification } from './notifications.schemas.ts'
import { inboxItems } from './notifications.tables.ts'
import { eq } from 'drizzle-orm'

export const NOTIFICATION_CREATED_EVENT = 'notification.created'

const Pushed = Type.Object(
  {
    notification: Type.Object(Notification.properties, { additionalProperties: false }),
    unread: Type.Integer({ minimum: 0, description: 'Your unread count after it arrived' }),
  },
  { additionalProperties: false },
)

export function createInboxPush(deps: { database: Database; jobs: Jobs }) {
  let gateway: RealtimeGateway | undefined
  deps.jobs.define<PushInboxJob>({
    name: PUSH_INBOX_QUEUE,
    // Live news goes stale: a few quick tries, then the member sees it over REST.
    retryLimit: 3,
    retryDelaySeconds: 2,
    retryDelayMaxSeconds: 30,
    expireInSeconds: 60,
    pollingIntervalSeconds: 1,
    handler: async ({ tenantId, itemId }) => {
      if (!gateway) return
      const found = await deps.database.transaction(tenantScope(tenantId), async (tx) => {
        const [row] = await tx.select().from(inboxItems).where(eq(inboxItems.id, itemId))
        return row ? { row, unread: await unreadCountOf(tx, row.userId) } : undefined
      })
      if (!found) return
      gateway.publish(tenantId, `user:${found.row.userId}`, NOTIFICATION_CREATED_EVENT, {
        notification: presentItem(found.row),
        unread: found.unread,
      })
    },
  })
  return {
    registerRealtime(realtime: RealtimeGateway): void {
      gateway = realtime
      realtime.registerServerEvent(NOTIFICATION_CREATED_EVENT, Pushed, {
        summary: 'A new notification in your inbox (your own room), with your unread count',
      })
    },
  }
}

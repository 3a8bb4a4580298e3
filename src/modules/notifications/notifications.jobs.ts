/**
 * Jobs of the notification center: deferred mail after quiet hours, the live push of inbox items,
 * web push to devices, and the digest assembler.
 */
export const DELIVER_DEFERRED_QUEUE = 'notifications.deliver_deferred'
export const PUSH_INBOX_QUEUE = 'notifications.push_inbox'

export interface DeliverDeferredJob {
  tenantId: string
  deliveryId: string
}

export interface PushInboxJob {
  tenantId: string
  itemId: string
}

export const DELIVER_PUSH_QUEUE = 'notifications.deliver_push'
export const ASSEMBLE_DIGESTS_QUEUE = 'notifications.assemble_digests'

export interface DeliverPushJob {
  tenantId: string
  deliveryId: string
}

/** Jobs of the notification center: deferred mail after quiet hours, and the live push of inbox items. */
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

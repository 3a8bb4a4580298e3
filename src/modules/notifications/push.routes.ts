/** Routes of web push subscriptions: the signed-in member's own devices (docs/notifications.md, "Web push"). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import type { PushSubscriptions } from './push-subscriptions.ts'
import { PushDeviceParams, PushSubscriptionBody } from './push.schemas.ts'

const tags = ['notifications']
const person = { access: tenantAccess({ peopleOnly: true }) }

export function pushRoutes(subscriptions: PushSubscriptions) {
  return async function routes(app: App) {
    app.get(
      '/v1/me/push/vapid-public-key',
      {
        schema: {
          summary: 'The web push application server key',
          description: "Pass it as applicationServerKey to the browser's PushManager.subscribe().",
          tags,
          operationId: 'getVapidPublicKey',
          response: { 200: Type.Ref('VapidPublicKey') },
        },
        config: person,
      },
      async (request) => subscriptions.vapidPublicKey(request.ctx),
    )

    app.get(
      '/v1/me/push-subscriptions',
      {
        schema: {
          summary: 'Your devices that receive web push',
          tags,
          operationId: 'listMyPushDevices',
          response: { 200: Type.Ref('PushDeviceList') },
        },
        config: person,
      },
      async (request) => subscriptions.list(request.ctx),
    )

    app.post(
      '/v1/me/push-subscriptions',
      {
        schema: {
          summary: 'Subscribe this device to web push',
          description:
            'The body is PushSubscription.toJSON() (plus an optional label). Idempotent per endpoint: the same endpoint again refreshes its keys (200) instead of adding a device (201). An endpoint that is not https (in production) or points at a non-public address is 400 PUSH_ENDPOINT_REFUSED; malformed keys 400 PUSH_KEYS_INVALID. You keep at most 10 devices: an 11th replaces the one that received nothing for the longest time.',
          tags,
          operationId: 'subscribeMyPushDevice',
          body: PushSubscriptionBody,
          response: { 200: Type.Ref('PushDevice'), 201: Type.Ref('PushDevice') },
        },
        config: person,
      },
      async (request, reply) => {
        const { device, created } = await subscriptions.subscribe(request.ctx, request.body)
        return reply.status(created ? 201 : 200).send(device)
      },
    )

    app.delete(
      '/v1/me/push-subscriptions/:deviceId',
      {
        schema: {
          summary: 'Unsubscribe one of your devices',
          description: 'Another member’s device, or one already gone, is 404 PUSH_DEVICE_NOT_FOUND.',
          tags,
          operationId: 'unsubscribeMyPushDevice',
          params: PushDeviceParams,
          response: { 204: Type.Null({ description: 'Unsubscribed' }) },
        },
        config: person,
      },
      async (request, reply) => {
        await subscriptions.unsubscribe(request.ctx, request.params.deviceId)
        return reply.status(204).send(null)
      },
    )
  }
}

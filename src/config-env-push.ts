/**
 * The environment variables of web push (docs/notifications.md, "Web push"), spread into
 * EnvSchema (config-env.ts) so they stay one schema and one generated table.
 */
import { Type } from 'typebox'

export const pushEnv = {
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{87}$',
      description:
        'Web push (VAPID) public key: the uncompressed P-256 point as base64url (87 characters), what browsers subscribe with; generate the pair with `npx web-push generate-vapid-keys`. Required in production; outside production a public development pair is used',
    }),
  ),
  VAPID_PRIVATE_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{43}$',
      description:
        'Web push (VAPID) private key matching VAPID_PUBLIC_KEY: 32 bytes as base64url (43 characters); signs the JWT push services check. Required in production',
    }),
  ),
  VAPID_SUBJECT: Type.Optional(
    Type.String({
      pattern: '^(mailto:[^\\s@]+@[^\\s@]+|https://[^\\s]+)$',
      description:
        'Web push (VAPID) contact: a mailto: address or an https: URL push services may use to reach the operator. Required in production',
    }),
  ),
}

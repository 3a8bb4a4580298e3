/**
 * The Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials 2.0 data model) a
 * certificate carries, and the revocation status list credential, both secured with a Data
 * Integrity proof (cryptosuite eddsa-rdfc-2022) by the tenant's issuer key.
 */
import { createHash } from 'node:crypto'
import { documentLoader, OPEN_BADGES_CONTEXT, VC_V2_CONTEXT } from './document-loader.ts'
import type { IssuerKey } from './issuer-keys.ts'

export interface IssuerProfile {
  /** The tenant's display name. */
  name: string
  /** The tenant's public origin, e.g. https://acme.example.com. */
  url: string
}

export interface OpenBadgeInput {
  certificateId: string
  issuer: IssuerProfile
  recipient: { name: string; email: string }
  course: { id: string; title: string; summary: string }
  issuedAt: Date
  status: { index: number; listUrl: string }
  /** Salt of the recipient's hashed email (per certificate, so hashes cannot be joined across certificates). */
  identitySalt: string
}

/** OB 3.0 IdentityObject: the recipient's email, salted and hashed (`sha256$hex`). */
const identityHash = (email: string, salt: string) =>
  `sha256$${createHash('sha256')
    .update(email + salt)
    .digest('hex')}`

export function buildOpenBadge(input: OpenBadgeInput, issuerDid: string): Record<string, unknown> {
  const { issuer, recipient, course, status } = input
  return {
    '@context': [VC_V2_CONTEXT, OPEN_BADGES_CONTEXT],
    id: `urn:uuid:${input.certificateId}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `Certificate of completion: ${course.title}`,
    issuer: { id: issuerDid, type: ['Profile'], name: issuer.name, url: issuer.url },
    validFrom: input.issuedAt.toISOString(),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        {
          type: 'IdentityObject',
          identityType: 'emailAddress',
          hashed: true,
          identityHash: identityHash(recipient.email, input.identitySalt),
          salt: input.identitySalt,
        },
      ],
      achievement: {
        id: `urn:uuid:${course.id}`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: course.title,
        description: course.summary || `Completion of the course "${course.title}".`,
        criteria: {
          narrative: `Completed every lesson of "${course.title}", including its graded quizzes and assignments.`,
        },
      },
    },
    credentialStatus: {
      id: `${status.listUrl}#${status.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(status.index),
      statusListCredential: status.listUrl,
    },
  }
}

/** A BitstringStatusListCredential (VC 2.0) for the revocation list at `listUrl`. */
export function buildStatusListCredential(
  listUrl: string,
  issuerDid: string,
  encodedList: string,
  validFrom: Date,
): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: listUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuerDid,
    validFrom: validFrom.toISOString(),
    credentialSubject: { id: `${listUrl}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
  }
}

/**
 * The Data Integrity stack (jsonld, RDF canonicalisation, the VC library) holds about 30 MB once
 * loaded: it loads at the first signature, so a process that never issues never pays for it.
 */
const importSigningLibraries = () =>
  Promise.all([
    import('@digitalcredentials/data-integrity'),
    import('@digitalcredentials/eddsa-rdfc-2022-cryptosuite'),
    import('@digitalcredentials/vc'),
  ])
let signingLibraries: ReturnType<typeof importSigningLibraries> | undefined
const loadSigningLibraries = () => (signingLibraries ??= importSigningLibraries())

/** Adds an eddsa-rdfc-2022 Data Integrity proof made with the issuer key. */
export async function signCredential(
  credential: Record<string, unknown>,
  key: IssuerKey,
): Promise<Record<string, unknown>> {
  const [{ DataIntegrityProof }, { cryptosuite }, vc] = await loadSigningLibraries()
  const suite = new DataIntegrityProof({ signer: key.keyPair.signer(), cryptosuite })
  return vc.issue({ credential: structuredClone(credential), suite, documentLoader })
}

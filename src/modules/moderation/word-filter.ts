/**
 * The word filter's matching, pure and linear: text and phrases are normalised the same way
 * (Unicode NFKD with combining marks removed, so "Café" is "cafe"; lower case) and split into
 * words (runs of letters and digits); a phrase matches where its words occur consecutively and
 * whole ("ass" does not match "class"). Matching looks up, at each word of the text, the phrases
 * of 1..k words starting there in a Set (k: the longest phrase, at most MAX_PHRASE_WORDS): O(n·k)
 * for a text of n words, with no regular expression built from user input (no backtracking).
 */
export const WORD_FILTER_LIMITS = { phrases: 200, phraseLength: 100, maxPhraseWords: 5 } as const

const WORD = /[\p{L}\p{N}]+/gu

/** The words of a text, normalised (NFKD, marks removed, lower case). */
export function wordsOf(text: string): string[] {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(WORD) ?? []
}

/** A phrase's normal form (its words joined by one space), or '' when it has no word. */
export const normalisePhrase = (phrase: string): string => wordsOf(phrase).join(' ')

export interface CompiledFilter {
  phrases: ReadonlySet<string>
  longest: number
}

export function compileFilter(phrases: Iterable<string>): CompiledFilter {
  const set = new Set<string>()
  let longest = 0
  for (const phrase of phrases) {
    const normal = normalisePhrase(phrase)
    if (!normal) continue
    set.add(normal)
    longest = Math.max(longest, normal.split(' ').length)
  }
  return { phrases: set, longest: Math.min(longest, WORD_FILTER_LIMITS.maxPhraseWords) }
}

/** The first phrase of the filter found in `text`, or null. */
export function firstMatch(filter: CompiledFilter, text: string): string | null {
  if (filter.phrases.size === 0) return null
  const words = wordsOf(text)
  for (let start = 0; start < words.length; start++) {
    let candidate = ''
    for (let length = 1; length <= filter.longest && start + length <= words.length; length++) {
      candidate = length === 1 ? words[start]! : `${candidate} ${words[start + length - 1]}`
      if (filter.phrases.has(candidate)) return candidate
    }
  }
  return null
}

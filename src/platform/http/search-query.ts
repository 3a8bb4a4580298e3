/**
 * The `q` of message searches (direct messages, channel chat): a bounded string, normalised the
 * same way everywhere before it reaches websearch_to_tsquery. A query with nothing to search for
 * once normalised (only white space, punctuation or symbols: the text-search parser keeps words of
 * letters and digits) is a 400 naming the parameter, not an empty page that looks like "no
 * matches".
 */
import { Type } from 'typebox'
import { AppError } from '../errors.ts'

/** Characters of a search query: longer texts are not searches but pasted paragraphs. */
export const MAX_SEARCH_QUERY_LENGTH = 200

export const SearchText = Type.String({
  minLength: 1,
  maxLength: MAX_SEARCH_QUERY_LENGTH,
  description: `1-${MAX_SEARCH_QUERY_LENGTH} characters with at least one letter or digit; web-search syntax: words (all must match), "a phrase", or, -excluded`,
})

/**
 * The query as it is searched: Unicode NFKC (full-width and compatibility forms as their plain
 * letters), white space runs as one space, trimmed. 400 SEARCH_QUERY_EMPTY when no letter or digit
 * is left.
 */
export function normaliseSearchQuery(q: string): string {
  const normalised = q.normalize('NFKC').replace(/\s+/gu, ' ').trim()
  if (!/[\p{L}\p{N}]/u.test(normalised))
    throw new AppError('invalid', 'SEARCH_QUERY_EMPTY', 'The search query has no words to search for', {
      errors: [{ path: 'querystring.q', message: 'must contain a letter or digit', code: 'empty' }],
    })
  return normalised
}

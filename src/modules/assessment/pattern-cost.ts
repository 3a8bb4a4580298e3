/**
 * What a short-answer pattern costs to compile, estimated from its text alone: deterministic,
 * microseconds to compute, and known before anything is compiled, so the budgets below can
 * refuse a pattern or a quiz without paying for it.
 *
 * RE2 compiles a regular expression into a program whose size, and so compile time and heap,
 * grows with each atom times the number of copies repetition makes of it (`x{n,m}` makes m
 * copies, `x{n,}` n + 1). An atom's weight depends on how many UTF-8 byte ranges it turns into.
 * Measured on re2-wasm 1.0.2 (2 vCPU EPYC, per copy, whole-answer form, with and without case):
 * - ASCII literals and classes (`a`, `[a-z]`, `\d`): under 0.01 ms                → 1 unit
 * - any character (`.`, `[^a]`, `\W`, `[[:^alpha:]]`, `\C`): 0.06-0.28 ms          → 5 units
 * - classes with code points past ASCII (`[\x{100}-\x{2000}]`): up to 0.8 ms       → 20 units
 *   (a literal past ASCII outside a class, such as `é`, is 2)
 * - Unicode properties (`\pL` 12 ms, `\PL` 11, `\p{Lu}` 7-10, `\pN` 4, `\p{Greek}` 1) → 250 units each
 * Case-insensitive matching folds ASCII letters and negated classes into wider ranges
 * (`(?i)[a-z]` about 0.1 ms, `(?i)\W` 0.3 ms), so without case those two kinds count double.
 * So one unit is about 0.05 ms, and the estimate errs high (a class of several properties counts
 * each). `\pL{8}` is 2,000 units (about 100 ms), `\pL{16}` 4,000 (about 200 ms), `.{1,200}` 1,000 (2,000 without case).
 * The heap a compiled program keeps is estimated alongside: about 0.7 KiB per copy of an
 * ordinary atom and 256 KiB per Unicode-property copy (`.{100}` holds ~70 KiB, `\pL{4}` ~1 MiB).
 */

/** A pattern above this is refused when a question is saved (about 100 ms of compiling here). */
export const MAX_PATTERN_COST = 2_000
/** The distinct patterns of one quiz together stay under this (about 200 ms of compiling here). */
export const MAX_QUIZ_PATTERN_COST = 4_000

const PLAIN = 1
const LITERAL = 2
const ANY = 5
const WIDE = 20
const UNICODE = 250
const PLAIN_BYTES = 768
const UNICODE_BYTES = 256 * 1024
const PROGRAM_BYTES = 1024
const MAX_COPIES = 1_000_000

export interface PatternEstimate {
  /** Compile units (see above). */
  cost: number
  /** Heap bytes the compiled program is estimated to keep. */
  bytes: number
}

/** Copies of each kind of atom the program holds. */
interface Weight {
  plain: number
  literal: number
  any: number
  wide: number
  unicode: number
}

const KINDS = ['plain', 'literal', 'any', 'wide', 'unicode'] as const
const none = (): Weight => ({ plain: 0, literal: 0, any: 0, wide: 0, unicode: 0 })
const one = (kind: (typeof KINDS)[number]): Weight => ({ ...none(), [kind]: 1 })
const add = (a: Weight, b: Weight): Weight =>
  Object.fromEntries(KINDS.map((k) => [k, a[k] + b[k]])) as unknown as Weight
const times = (w: Weight, n: number): Weight => Object.fromEntries(KINDS.map((k) => [k, w[k] * n])) as unknown as Weight

const REPEAT = /^\{(\d+)(,(\d*))?\}/
const FLAGS_GROUP = /^\(\?[imsU-]*\)/
const GROUP_OPEN = /^\((?:\?(?:[imsU-]*:|P?<[^>]*>))?/

/** A recursive-descent walk over RE2 syntax that only weighs what it reads; unknown input counts as literal text. */
class Walker {
  private at = 0
  constructor(private readonly source: string) {}

  /** The whole pattern; a stray ')' (which RE2 refuses anyway) does not end the walk early. */
  whole(): Weight {
    let total = this.alternation()
    while (this.at < this.source.length) {
      this.at++
      total = add(total, this.alternation())
    }
    return total
  }

  private alternation(): Weight {
    let total = this.sequence()
    while (this.source[this.at] === '|') {
      this.at++
      total = add(total, this.sequence())
    }
    return total
  }

  private sequence(): Weight {
    let total = none()
    while (this.at < this.source.length && this.source[this.at] !== '|' && this.source[this.at] !== ')')
      total = add(total, times(this.atom(), this.copies()))
    return total
  }

  private atom(): Weight {
    const rest = this.source.slice(this.at)
    const flags = FLAGS_GROUP.exec(rest)
    if (flags) {
      this.at += flags[0].length
      return none()
    }
    const char = rest[0] as string
    if (char === '(') {
      this.at += (GROUP_OPEN.exec(rest) as RegExpExecArray)[0].length
      const inner = this.alternation()
      if (this.source[this.at] === ')') this.at++
      return inner
    }
    this.at++
    if (char === '^' || char === '$') return none()
    if (char === '.') return one('any')
    if (char === '[') return this.characterClass()
    if (char === '\\') return this.escape(false)
    return literal(char, false)
  }

  /** How many copies the repetition after an atom makes (1 when there is none). */
  private copies(): number {
    let copies = 1
    for (;;) {
      const char = this.source[this.at]
      const repeat = REPEAT.exec(this.source.slice(this.at))
      if (char === '*' || char === '+' || char === '?') this.at++
      else if (repeat) {
        this.at += repeat[0].length
        const min = Number(repeat[1])
        // RE2 refuses more than 1,000 copies anyway; the cap keeps a refused estimate a finite number.
        copies = Math.min(
          MAX_COPIES,
          copies * (repeat[2] === undefined ? min : repeat[3] ? Math.max(min, Number(repeat[3])) : min + 1),
        )
      } else return Math.max(copies, 1)
      if (this.source[this.at] === '?') this.at++
    }
  }

  /** After a backslash: a Unicode property, a Perl class, an empty assertion, quoted text or one literal. */
  private escape(inClass: boolean): Weight {
    const char = this.source[this.at] ?? ''
    this.at++
    if (char === 'p' || char === 'P') {
      if (this.source[this.at] === '{') {
        const close = this.source.indexOf('}', this.at)
        this.at = close < 0 ? this.source.length : close + 1
      } else this.at++
      return one('unicode')
    }
    if ('dsw'.includes(char)) return one('plain')
    if ('DSWC'.includes(char)) return one('any')
    if (!inClass && 'bBAz'.includes(char)) return none()
    if (!inClass && char === 'Q') {
      const end = this.source.indexOf('\\E', this.at)
      const quoted = this.source.slice(this.at, end < 0 ? undefined : end)
      this.at = end < 0 ? this.source.length : end + 2
      return [...quoted].reduce((sum, c) => add(sum, literal(c, false)), none())
    }
    if (char === 'x') {
      const hex = /^(\{[0-9A-Fa-f]*\}|[0-9A-Fa-f]{0,2})/.exec(this.source.slice(this.at))?.[0] ?? ''
      this.at += hex.length
      return literal(String.fromCodePoint(Number.parseInt(hex.replace(/[{}]/g, '') || '0', 16) % 0x110000), inClass)
    }
    return literal(char, inClass)
  }

  /** `[...]`: its Unicode properties each count in full; otherwise one copy, by its widest member (negated: any character at least). */
  private characterClass(): Weight {
    let negated = false
    if (this.source[this.at] === '^') {
      negated = true
      this.at++
    }
    let inner = none()
    let first = true
    while (this.at < this.source.length && (first || this.source[this.at] !== ']')) {
      first = false
      const posix = /^\[:(\^?)[a-z]+:\]/.exec(this.source.slice(this.at))
      if (posix) {
        this.at += posix[0].length
        inner = add(inner, one(posix[1] ? 'any' : 'plain'))
        continue
      }
      const char = this.source[this.at] as string
      this.at++
      inner = add(inner, char === '\\' ? this.escape(true) : literal(char, true))
    }
    this.at++
    if (inner.unicode > 0) return { ...none(), unicode: inner.unicode }
    if (inner.wide > 0) return one('wide')
    return one(negated || inner.any > 0 ? 'any' : 'plain')
  }
}

/** A code point: ASCII is one instruction; past ASCII a few bytes, and inside a class it makes the class's ranges wide. */
function literal(char: string, inClass: boolean): Weight {
  if ((char.codePointAt(0) ?? 0) < 0x80) return one('plain')
  return one(inClass ? 'wide' : 'literal')
}

/**
 * The estimated compile cost and kept heap of `^(?:pattern)$`, as the grader compiles it
 * (`ignoreCase`, or an inline `(?i)` anywhere, folds case).
 */
export function estimatePattern(pattern: string, ignoreCase: boolean): PatternEstimate {
  const weight = new Walker(pattern).whole()
  const folds = ignoreCase || /\(\?[a-zA-Z-]*i/.test(pattern) ? 2 : 1
  const cost =
    (weight.plain * PLAIN + weight.any * ANY) * folds +
    weight.literal * LITERAL +
    weight.wide * WIDE +
    weight.unicode * UNICODE
  const ordinary = weight.plain + weight.literal + weight.any + weight.wide
  const bytes = PROGRAM_BYTES + ordinary * PLAIN_BYTES + weight.unicode * UNICODE_BYTES
  return { cost, bytes }
}

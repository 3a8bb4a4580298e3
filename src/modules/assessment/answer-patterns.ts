/**
 * Short-answer patterns run on RE2 (re2-wasm: Google's RE2 compiled to WebAssembly, no native
 * build). RE2's matching time is linear in the answer whatever the pattern, so no pattern can
 * stall a thread the way a backtracking engine does on `(a|a)*b` against "aaaa…"; compiling
 * can still take a while (pattern-cost.ts), which is why this file runs in the pattern worker
 * threads (pattern-worker.ts), never on the event loop. Patterns use RE2 syntax: no
 * backreferences, no lookaround.
 *
 * Compiled whole-answer programs are kept per thread in a ProgramCache keyed by (pattern,
 * case folding), at most CACHE_LIMITS in count and estimated heap, so a quiz's patterns are
 * compiled once per thread rather than once per answer.
 *
 * Two traits of re2-wasm 1.0.2 shape this file (both reproduced before writing it):
 * - Its heap is a fixed 16 MiB that never grows, and its RE2 class never frees a compiled
 *   program (nor the group-name map its constructor reads), so after about 1,500 compilations
 *   every later one aborts for the life of the process. This file therefore uses the package's
 *   low-level WrappedRE2 and frees every program it does not keep (a check's, one too large
 *   to cache, one evicted from the cache).
 * - A short pattern can still need more than that heap (`\pL{100}` case-insensitive does), and a
 *   full cache can leave too little for a new program. Either aborts the WebAssembly instance
 *   for good: the instance is dropped with every program in it, and the work is tried once more
 *   on a fresh instance with an empty cache. A pattern that aborts that one too is refused as too
 *   complex, so one pattern cannot take matching down for everyone.
 */
import { createRequire } from 'node:module'
import { estimatePattern } from './pattern-cost.ts'
import { ProgramCache, type CacheLimits } from './program-cache.ts'

/** A compiled RE2 program inside the WebAssembly heap; `delete` frees it. */
interface Program {
  ok(): boolean
  error(): string
  match(input: string, start: number, captureGroups: boolean): { index: number }
  delete(): void
}

interface Engine {
  WrappedRE2: new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => Program
}

const require = createRequire(import.meta.url)
const ENGINE_MODULE = require.resolve('re2-wasm/build/wasm/re2.js')
let engine: Engine | undefined

/** Half the 16 MiB heap for kept programs leaves the other half for compiling and matching. */
export const CACHE_LIMITS: CacheLimits = { maxEntries: 256, maxBytes: 8 * 1024 * 1024 }
const cache = new ProgramCache<Program>(CACHE_LIMITS, (program) => program.delete())

/** The loaded instance; after an abort, a fresh one (the module is re-evaluated, so it gets a new heap). */
function loadEngine(): Engine {
  if (engine) return engine
  Reflect.deleteProperty(require.cache, ENGINE_MODULE)
  const loaded: unknown = require(ENGINE_MODULE)
  if (typeof loaded !== 'object' || loaded === null || typeof (loaded as Partial<Engine>).WrappedRE2 !== 'function')
    throw new Error('re2-wasm did not load its WrappedRE2 binding')
  engine = loaded as Engine
  return engine
}

/** Why RE2 cannot use a pattern, as the question validation reports it. */
export class PatternRefused extends Error {}

/** What an aborting WebAssembly instance throws (the global exists at run time; the project's TypeScript libs only declare its types). */
const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly

const TOO_COMPLEX =
  'is too complex to match (it needs more memory than the matcher allows); use fewer or smaller repetitions of large character classes'

/**
 * Runs `work` against the engine; when the instance aborts, drops it (and the cache of its
 * programs, freed with its heap) and runs `work` once more on a fresh instance.
 */
function onEngine<T>(work: (loaded: Engine) => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return work(loadEngine())
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error
      engine = undefined
      cache.abandon()
      if (attempt === 2) throw new PatternRefused(TOO_COMPLEX)
    }
  }
}

/** A compiled program, or PatternRefused (the program is freed) when RE2 rejects the pattern. */
function compile(loaded: Engine, source: string, ignoreCase: boolean): Program {
  const program = new loaded.WrappedRE2(source, ignoreCase, false, false)
  if (program.ok()) return program
  const reason = program.error()
  program.delete()
  throw new PatternRefused(`is not a valid RE2 regular expression (${reason}); RE2 has no backreferences or lookaround`)
}

/** The pattern as the grader runs it: the whole (normalised) answer must match. */
const wholeAnswer = (pattern: string) => `^(?:${pattern})$`

/** Runs `use` on the pattern's whole-answer program, taken from the cache or compiled into it. */
function withWholeAnswerProgram<T>(pattern: string, ignoreCase: boolean, use: (program: Program) => T): T {
  return onEngine((loaded) => {
    const key = `${ignoreCase ? 'i' : 'c'}:${pattern}`
    const cached = cache.get(key)
    if (cached) return use(cached)
    const program = compile(loaded, wholeAnswer(pattern), ignoreCase)
    if (cache.set(key, program, estimatePattern(pattern, ignoreCase).bytes)) return use(program)
    try {
      return use(program)
    } finally {
      program.delete()
    }
  })
}

/**
 * Why RE2 refuses the pattern, or null when it compiles as the grader will run it. The pattern
 * is also compiled on its own, so one such as `a)|(b` cannot break out of the whole-answer group.
 */
export function patternSyntaxProblem(pattern: string, ignoreCase: boolean): string | null {
  try {
    onEngine((loaded) => compile(loaded, pattern, ignoreCase).delete())
    withWholeAnswerProgram(pattern, ignoreCase, () => undefined)
    return null
  } catch (error) {
    if (error instanceof PatternRefused) return error.message
    throw error
  }
}

/**
 * Whether the whole text matches the pattern. A pattern RE2 cannot run (one stored before
 * patterns were checked against RE2, e.g. with a lookahead) matches no answer; the question's
 * exact answers still count.
 */
export function matchesWholeAnswer(pattern: string, text: string, ignoreCase: boolean): boolean {
  try {
    return withWholeAnswerProgram(pattern, ignoreCase, (program) => program.match(text, 0, false).index >= 0)
  } catch (error) {
    if (error instanceof PatternRefused) return false
    throw error
  }
}

/**
 * Loads the engine and RE2's case-folding tables (the first case-insensitive compile builds them),
 * so a thread's first task pays for neither: the worker calls this before it takes tasks.
 */
export function warmUp(): void {
  onEngine((loaded) => compile(loaded, 'warm', true).delete())
}

/** Programs this thread keeps, and the heap they are estimated to hold. */
export const cachedPrograms = () => ({ entries: cache.size, bytes: cache.bytes })

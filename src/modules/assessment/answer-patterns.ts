/**
 * Short-answer patterns run on RE2 (re2-wasm: Google's RE2 compiled to WebAssembly, no native
 * build). RE2's matching time is linear in the answer whatever the pattern, so no pattern can
 * stall the request thread the way a backtracking engine does on `(a|a)*b` against "aaaa…".
 * Patterns use RE2 syntax: no backreferences, no lookaround.
 *
 * Two traits of re2-wasm 1.0.2 shape this file (both reproduced before writing it):
 * - Its heap is a fixed 16 MiB that never grows, and its RE2 class never frees a compiled
 *   program (nor the group-name map its constructor reads), so after about 1,500 compilations
 *   every later one aborts for the life of the process. This file therefore uses the package's
 *   low-level WrappedRE2 and frees each program as soon as it has been used.
 * - A short pattern can still need more than that heap (`\pL{100}` case-insensitive does), which
 *   aborts the WebAssembly instance for good. Such a pattern is refused as too complex, and the
 *   next use loads a fresh instance, so one pattern cannot take matching down for everyone.
 */
import { createRequire } from 'node:module'

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
 * Authoring refuses a pattern whose compilation takes longer than this. Large repetitions of
 * Unicode classes compile slowly in RE2 (`\pL{50}` about 1.5 s here, `\pL+` about 40 ms);
 * ordinary patterns take about 1 ms.
 */
const MAX_COMPILE_MS = 250
const TOO_SLOW =
  'is too complex to match quickly; use fewer or smaller repetitions of large character classes such as \\pL'

/** Compiles `source`, hands the program to `use` and frees it; PatternRefused when RE2 cannot compile or run it. */
function withProgram<T>(source: string, ignoreCase: boolean, use: (program: Program) => T): T {
  let program: Program | undefined
  try {
    program = new (loadEngine().WrappedRE2)(source, ignoreCase, false, false)
    if (!program.ok())
      throw new PatternRefused(
        `is not a valid RE2 regular expression (${program.error()}); RE2 has no backreferences or lookaround`,
      )
    return use(program)
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error
    // An abort leaves the instance unusable: it is dropped whole, its programs with it, and the next use loads another.
    engine = undefined
    program = undefined
    throw new PatternRefused(TOO_COMPLEX)
  } finally {
    program?.delete()
  }
}

/** The pattern as the grader runs it: the whole (normalised) answer must match. */
const wholeAnswer = (pattern: string) => `^(?:${pattern})$`

/**
 * Why RE2 refuses the pattern, or null when it compiles as the grader will run it. The pattern
 * is also compiled on its own, so one such as `a)|(b` cannot break out of the whole-answer group.
 */
export function patternSyntaxProblem(pattern: string, ignoreCase: boolean): string | null {
  try {
    withProgram(pattern, ignoreCase, () => undefined)
    const started = performance.now()
    withProgram(wholeAnswer(pattern), ignoreCase, () => undefined)
    // Every grading compiles the pattern again (programs are not kept: the heap is fixed), so a
    // pattern that compiles slowly would hold the request thread on every answer graded.
    if (performance.now() - started > MAX_COMPILE_MS) return TOO_SLOW
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
    return withProgram(wholeAnswer(pattern), ignoreCase, (program) => program.match(text, 0, false).index >= 0)
  } catch (error) {
    if (error instanceof PatternRefused) return false
    throw error
  }
}

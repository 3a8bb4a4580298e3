/**
 * One full, compacting garbage collection that gives V8's free pages back to the operating
 * system, run once a server has started (docs/benchmarks.md, "Memory").
 *
 * Why: loading the module graph on Node 24 allocates far more than it keeps. Node's ESM resolver
 * re-reads the nearest package.json, exports map included, for every file it resolves (drizzle-orm's
 * is 178 KB, for ~450 modules), and tsx transpiles each source. The heap grows to ~110 MB while
 * the live set is ~60 MB, and V8 then holds the grown old space and a 2 × 16 MB young generation
 * for as long as the process lives: its memory reducer only runs after it has seen a low
 * allocation rate, which an idle server that stopped allocating never reports. A last-resort
 * collection (the one V8 runs under memory pressure) compacts the heap and releases the pages:
 * about −55 MB for an idle `lyceum api`, for a one-off pause at start-up (logged at debug level).
 */
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'

interface GcOptions {
  type: 'major'
  execution: 'sync'
  flavor: 'last-resort'
}
type Gc = (options: GcOptions) => void

let gc: Gc | undefined

/**
 * V8's `gc` function without exposing it to every module as `globalThis.gc` (which some libraries
 * call when they find it): the flag only adds it to contexts created afterwards, so it is taken
 * from a fresh context and the flag is switched off again.
 */
function collector(): Gc {
  if (gc) return gc
  v8.setFlagsFromString('--expose-gc')
  try {
    gc = runInNewContext('gc') as Gc
  } finally {
    v8.setFlagsFromString('--no-expose-gc')
  }
  return gc
}

export interface MemoryRelease {
  /** Resident set size before and after, in bytes. */
  rssBefore: number
  rssAfter: number
  heapUsedAfter: number
  /** How long the collection held the event loop. */
  durationMs: number
}

/** Runs the collection synchronously (tens of ms); call it when nothing latency-sensitive is waiting. */
export function releaseMemory(): MemoryRelease {
  const rssBefore = process.memoryUsage.rss()
  const started = performance.now()
  collector()({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  const durationMs = Math.round(performance.now() - started)
  const after = process.memoryUsage()
  return { rssBefore, rssAfter: after.rss, heapUsedAfter: after.heapUsed, durationMs }
}

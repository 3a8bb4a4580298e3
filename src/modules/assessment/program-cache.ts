/**
 * Compiled RE2 programs kept for reuse, least recently used first out, bounded by count and by
 * the heap the programs are estimated to hold (pattern-cost.ts). re2-wasm never frees a program
 * on its own, so whatever leaves the cache is freed through `free` — except when the whole
 * WebAssembly instance is dropped (`abandon`), which takes every program with it.
 */
export interface CacheLimits {
  maxEntries: number
  maxBytes: number
}

interface Entry<P> {
  program: P
  bytes: number
}

export class ProgramCache<P> {
  /** Map order is use order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry<P>>()
  private heldBytes = 0

  constructor(
    private readonly limits: CacheLimits,
    private readonly free: (program: P) => void,
  ) {}

  get(key: string): P | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.program
  }

  /**
   * Keeps the program, evicting (and freeing) the least recently used until both limits hold.
   * A program larger than the whole byte budget is not kept: the caller frees it after use.
   */
  set(key: string, program: P, bytes: number): boolean {
    if (bytes > this.limits.maxBytes) return false
    this.evict(key)
    this.entries.set(key, { program, bytes })
    this.heldBytes += bytes
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.heldBytes <= this.limits.maxBytes) break
      this.evict(oldest)
    }
    return true
  }

  /** Forgets every program without freeing it: its WebAssembly instance is gone, and its heap with it. */
  abandon(): void {
    this.entries.clear()
    this.heldBytes = 0
  }

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.heldBytes
  }

  private evict(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.heldBytes -= entry.bytes
    this.free(entry.program)
  }
}

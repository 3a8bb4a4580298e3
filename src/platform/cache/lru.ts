/**
 * A least-recently-used map bounded by entry count and by bytes, with a deadline per entry. A Map
 * keeps insertion order, so re-inserting on a hit makes the first key the least recently used.
 *
 * A hit on an entry already among the newest quarter of insertions is not re-inserted: on a hot
 * key (one token verified thousands of times a second) the delete + set was most of a hit's cost,
 * and such an entry is the last to be evicted anyway. Recency is therefore exact except within
 * that newest quarter; both bounds are enforced exactly as before (only `set` evicts).
 */
export interface LruLimits {
  maxEntries: number
  maxBytes: number
}

interface Slot<V> {
  value: V
  bytes: number
  expiresAt: number
  /** The insertion tick at which the slot was last (re)inserted: its distance from the newest. */
  stamp: number
}

export class BoundedLru<V> {
  readonly #slots = new Map<string, Slot<V>>()
  #bytes = 0
  /** Counts insertions; `#tick - slot.stamp` bounds how many entries are newer than the slot. */
  #tick = 0
  /** Hits on entries fewer than this many insertions old keep their place (0 for tiny maps: exact LRU). */
  readonly #fresh: number

  constructor(readonly limits: LruLimits) {
    this.#fresh = Math.floor(limits.maxEntries / 4)
  }

  get size(): number {
    return this.#slots.size
  }

  get bytes(): number {
    return this.#bytes
  }

  get(key: string, now = Date.now()): V | undefined {
    const slot = this.#slots.get(key)
    if (!slot) return undefined
    if (slot.expiresAt <= now) {
      this.#slots.delete(key)
      this.#bytes -= slot.bytes
      return undefined
    }
    if (this.#tick - slot.stamp >= this.#fresh) {
      this.#slots.delete(key)
      slot.stamp = ++this.#tick
      this.#slots.set(key, slot)
    }
    return slot.value
  }

  /** Stores the value unless it alone exceeds the byte bound; evicts the least recently used beyond either bound. */
  set(key: string, value: V, bytes: number, expiresAt: number): void {
    this.delete(key)
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return
    this.#slots.set(key, { value, bytes, expiresAt, stamp: ++this.#tick })
    this.#bytes += bytes
    for (const [oldest, slot] of this.#slots) {
      if (this.#slots.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) break
      this.#slots.delete(oldest)
      this.#bytes -= slot.bytes
    }
  }

  delete(key: string): void {
    const slot = this.#slots.get(key)
    if (!slot) return
    this.#slots.delete(key)
    this.#bytes -= slot.bytes
  }

  clear(): void {
    this.#slots.clear()
    this.#bytes = 0
  }
}

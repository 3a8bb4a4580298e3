/**
 * A least-recently-used map bounded by entry count and by bytes, with a deadline per entry. A Map
 * keeps insertion order, so re-inserting on a hit makes the first key the least recently used.
 */
export interface LruLimits {
  maxEntries: number
  maxBytes: number
}

interface Slot<V> {
  value: V
  bytes: number
  expiresAt: number
}

export class BoundedLru<V> {
  readonly #slots = new Map<string, Slot<V>>()
  #bytes = 0

  constructor(readonly limits: LruLimits) {}

  get size(): number {
    return this.#slots.size
  }

  get bytes(): number {
    return this.#bytes
  }

  get(key: string, now = Date.now()): V | undefined {
    const slot = this.#slots.get(key)
    if (!slot) return undefined
    this.#slots.delete(key)
    if (slot.expiresAt <= now) {
      this.#bytes -= slot.bytes
      return undefined
    }
    this.#slots.set(key, slot)
    return slot.value
  }

  /** Stores the value unless it alone exceeds the byte bound; evicts the least recently used beyond either bound. */
  set(key: string, value: V, bytes: number, expiresAt: number): void {
    this.delete(key)
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return
    this.#slots.set(key, { value, bytes, expiresAt })
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

/**
 * Fixed-window counters in this process, counted synchronously: a window opens at a key's first
 * hit and lasts `windowMs`; every hit adds one, also past the quota (the arithmetic of
 * rate-limiter-flexible's RateLimiterMemory, which answered the same through a promise per hit and
 * a timer per key). Expired windows are swept once per window length, so the map holds at most the
 * keys seen in the last two windows, without a timer.
 */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number
  /** Until the window closes. */
  msBeforeNext: number
}

interface Window {
  count: number
  expiresAt: number
}

export class MemoryWindows {
  private readonly windows = new Map<string, Window>()
  private nextSweep: number

  constructor(private readonly windowMs: number) {
    this.nextSweep = Date.now() + windowMs
  }

  hit(key: string, now: number): WindowCount {
    if (now >= this.nextSweep) this.sweep(now)
    let window = this.windows.get(key)
    if (window === undefined || window.expiresAt <= now) {
      window = { count: 0, expiresAt: now + this.windowMs }
      this.windows.set(key, window)
    }
    window.count++
    return { count: window.count, msBeforeNext: window.expiresAt - now }
  }

  /** Keys with a window open (for tests). */
  get size(): number {
    return this.windows.size
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.expiresAt <= now) this.windows.delete(key)
    this.nextSweep = now + this.windowMs
  }
}

import { describe, expect, it } from 'vitest'
import { MemoryWindows } from './memory-windows.ts'

// Times are passed in, so nothing here waits for a clock.
const T0 = Date.now()

describe('in-process fixed windows', () => {
  it("opens a window at a key's first hit and counts every hit in it, past any quota", () => {
    const windows = new MemoryWindows(60_000)
    expect(windows.hit('a', T0)).toEqual({ count: 1, msBeforeNext: 60_000 })
    expect(windows.hit('a', T0 + 1_500)).toEqual({ count: 2, msBeforeNext: 58_500 })
    expect(windows.hit('b', T0 + 2_000)).toEqual({ count: 1, msBeforeNext: 60_000 })
    for (let i = 0; i < 10; i++) windows.hit('a', T0 + 3_000)
    expect(windows.hit('a', T0 + 59_999)).toEqual({ count: 13, msBeforeNext: 1 })
  })

  it('starts a fresh window once the last one has closed', () => {
    const windows = new MemoryWindows(60_000)
    windows.hit('a', T0)
    windows.hit('a', T0 + 10)
    expect(windows.hit('a', T0 + 60_000)).toEqual({ count: 1, msBeforeNext: 60_000 })
  })

  it('forgets closed windows when it sweeps, keeping the open ones', () => {
    const windows = new MemoryWindows(60_000)
    for (let i = 0; i < 100; i++) windows.hit(`old-${i}`, T0)
    windows.hit('recent', T0 + 59_000)
    expect(windows.size).toBe(101)
    // The first hit after a window length sweeps: the old windows have closed, `recent` has not.
    windows.hit('new', T0 + 61_000)
    expect(windows.size).toBe(2)
    expect(windows.hit('recent', T0 + 61_000)).toEqual({ count: 2, msBeforeNext: 58_000 })
  })
})

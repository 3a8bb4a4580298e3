import { describe, expect, it } from 'vitest'
import { releaseMemory } from './release-memory.ts'

describe('releaseMemory', () => {
  it('runs a full collection: an unreachable object is gone afterwards', async () => {
    let ref: WeakRef<object> | undefined
    ;(() => {
      ref = new WeakRef({ payload: new Array(1000).fill('x') })
    })()
    // A WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const released = releaseMemory()
    expect(ref!.deref()).toBeUndefined()
    expect(released.rssAfter).toBeGreaterThan(0)
    expect(released.heapUsedAfter).toBeGreaterThan(0)
  })

  it("does not leave V8's gc function on the global object", () => {
    releaseMemory()
    expect('gc' in globalThis).toBe(false)
  })
})

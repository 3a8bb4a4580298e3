/**
 * Closing the app terminates the pattern worker threads: none is left running after tests or
 * `lyceum serve`, and none starts for an app that never compiles a pattern.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { classroom } from './assessment.testing.ts'

let t: TestApp
let closed = false
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  if (!closed) await t?.close()
})

describe('pattern worker threads and the app', () => {
  it('start with the first pattern, and are all gone once the app is closed', async () => {
    expect(t.modules.assessment.patternThreads().threads).toBe(0)
    const c = await classroom(t)
    await c.question({ kind: 'short_answer', prompt: 'Colour?', answerKey: { pattern: 'colou?r' } })
    expect(t.modules.assessment.patternThreads()).toMatchObject({ threads: 1, completed: 1 })
    await t.close()
    closed = true
    expect(t.modules.assessment.patternThreads().threads).toBe(0)
  })
})

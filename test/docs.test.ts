import { describe, expect, it } from 'vitest'
import { committedEnvTable, envTable } from '../scripts/env-table.ts'

describe('documentation', () => {
  it('lists every environment variable of src/config.ts in docs/operations.md, exactly as generated', () => {
    expect(committedEnvTable(), 'run `npm run docs:env` and commit docs/operations.md').toBe(envTable())
  })
})

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { committedEnvTable, envTable } from '../scripts/env-table.ts'
import { publicEventCatalogue } from '../src/app.ts'

/** The rows of docs/events.md's table of public types: type, version and summary. */
function documentedEventTypes(): Array<{ type: string; version: number; summary: string }> {
  const markdown = readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8')
  return [...markdown.matchAll(/^\| `([a-z_.]+)` \| (\d+) \| (.+) \|$/gm)].map(([, type, version, summary]) => ({
    type: type!,
    version: Number(version),
    summary: summary!,
  }))
}

describe('documentation', () => {
  it('lists every environment variable of src/config.ts in docs/operations.md, exactly as generated', () => {
    expect(committedEnvTable(), 'run `npm run docs:env` and commit docs/operations.md').toBe(envTable())
  })

  it('lists exactly the public event catalogue in docs/events.md, with versions and summaries', () => {
    const catalogue = publicEventCatalogue()
      .list()
      .map(({ type, version, summary }) => ({ type, version, summary }))
    expect(documentedEventTypes(), 'update the table in docs/events.md').toEqual(catalogue)
  })
})

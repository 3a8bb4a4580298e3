/**
 * Test support for rate limits: a strict parser for the structured-field Lists the draft-11
 * headers use, and a wait for a Redis connection to become ready.
 */
import type { Redis } from 'ioredis'

export interface ListItem {
  name: string
  params: Record<string, number>
}

const OWS = /^[ \t]*/
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\\"])*)"/
const PARAM = /^;[ ]*([a-z*][a-z0-9_.*-]*)=(-?[0-9]{1,15})/

/**
 * Parses an RFC 8941 List whose members are sf-strings with integer parameters (the shape of
 * RateLimit-Policy and RateLimit); throws on anything that is not exactly that.
 */
export function parseRateLimitList(field: string): ListItem[] {
  const items: ListItem[] = []
  let rest = field.replace(/^ +/, '')
  for (;;) {
    const name = SF_STRING.exec(rest)
    if (!name) throw new Error(`expected an sf-string at "${rest}" in "${field}"`)
    rest = rest.slice(name[0].length)
    const params: Record<string, number> = {}
    for (let param = PARAM.exec(rest); param; param = PARAM.exec(rest)) {
      params[param[1]!] = Number(param[2])
      rest = rest.slice(param[0].length)
    }
    items.push({ name: name[1]!.replace(/\\([\\"])/g, '$1'), params })
    rest = rest.replace(OWS, '')
    if (rest === '') return items
    if (!rest.startsWith(',')) throw new Error(`expected "," at "${rest}" in "${field}"`)
    rest = rest.slice(1).replace(OWS, '')
    if (rest === '') throw new Error(`trailing comma in "${field}"`)
  }
}

/** Resolves once the connection is ready (bounded), so the first request does not meet a connecting client. */
export async function waitForRedis(redis: Redis | undefined, timeoutMs = 5_000): Promise<void> {
  if (!redis || redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`)),
      timeoutMs,
    )
    redis.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

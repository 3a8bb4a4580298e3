/**
 * One POST to a checked URL, bounded in time and size: a single deadline from the first DNS
 * query to the last body byte (a receiver that accepts and hangs, or dribbles a byte at a time,
 * fails with 'timeout'), the body kept up to the cap and the connection destroyed there, no
 * redirect followed, no connection reused (every request resolves and is judged afresh).
 */
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import { EgressFailedError, egressFailure } from './egress-errors.ts'
import type { EgressRequest, EgressResponse } from './egress.ts'

export interface SendOptions {
  timeoutMs: number
  maxResponseBytes: number
  /** The guarded lookup: the only way this request learns an address. */
  lookup: LookupFunction
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** Reads the body up to the cap; resolves with what was kept, or settles through `fail`. */
function readBody(
  response: http.IncomingMessage,
  maxBytes: number,
  done: (body: Buffer, truncated: boolean) => void,
  fail: (error: unknown) => void,
): void {
  const chunks: Buffer[] = []
  let size = 0
  response.on('data', (chunk: Buffer) => {
    const room = maxBytes - size
    if (chunk.length <= room) {
      chunks.push(chunk)
      size += chunk.length
      return
    }
    chunks.push(chunk.subarray(0, room))
    done(Buffer.concat(chunks), true)
  })
  response.on('end', () => done(Buffer.concat(chunks), false))
  response.on('error', fail)
  response.on('close', () => {
    if (!response.complete)
      fail(Object.assign(new Error('connection closed mid-response'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
  })
}

export function sendRequest(
  url: URL,
  host: string,
  init: EgressRequest,
  options: SendOptions,
): Promise<EgressResponse> {
  const started = performance.now()
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : Buffer.from(init.body)
  const request = (url.protocol === 'https:' ? https : http).request(url, {
    method: 'POST',
    headers: { 'user-agent': 'Lyceum', ...init.headers, 'content-length': String(body.length), connection: 'close' },
    // A fresh agent per request: no pooled socket is reused for a host judged earlier.
    agent: false,
    lookup: options.lookup,
  })
  return new Promise<EgressResponse>((resolve, reject) => {
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      init.signal?.removeEventListener('abort', onAbort)
      // Ends the exchange whatever its state: DNS pending, connecting, mid-body, or done.
      request.destroy()
      outcome()
    }
    const fail = (error: unknown) => settle(() => reject(egressFailure(error, host)))
    const onAbort = () => fail(new EgressFailedError('aborted', `The request to ${host} was cancelled`))
    const timer = setTimeout(
      () => fail(new EgressFailedError('timeout', `${host} did not answer completely within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    )
    if (init.signal?.aborted) return onAbort()
    init.signal?.addEventListener('abort', onAbort, { once: true })
    request.on('error', fail)
    request.on('response', (response) => {
      const done = (kept: Buffer, truncated: boolean) =>
        settle(() =>
          resolve({
            status: response.statusCode ?? 0,
            headers: flatHeaders(response.headers),
            body: kept.toString('utf8'),
            truncated,
            durationMs: Math.round(performance.now() - started),
          }),
        )
      readBody(response, options.maxResponseBytes, done, fail)
    })
    request.end(body)
  })
}

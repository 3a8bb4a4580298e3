/**
 * Test support for the hosted pages: a small real HTTP client (node:http over TCP) that follows a
 * link exactly as mailed, resolving every host name to 127.0.0.1 (tenant hosts like
 * `t-1.localhost` do not resolve on every machine), keeps cookies per host like a browser, and
 * reads the forms of the pages it gets. And an app listening on a port chosen beforehand, so
 * PUBLIC_URL (hence every mailed link) names that port.
 */
import http from 'node:http'
import { createServer } from 'node:net'
import type { LookupFunction } from 'node:net'
import type { TestApp } from '../../../../test/build-test-app.ts'

export interface PageResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  url: string
}

export interface PageForm {
  action: string
  fields: Record<string, string>
}

const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (typeof options === 'object' && options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }])
  return callback(null, '127.0.0.1', 4)
}

/** A free TCP port on 127.0.0.1 (the app listens on it right after). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Environment for an app whose links point at `port`, where it then listens. */
export const listeningEnv = (port: number) => ({ PORT: String(port), PUBLIC_URL: `http://localhost:${port}` })

export async function listen(t: TestApp): Promise<void> {
  await t.app.listen({ host: '127.0.0.1', port: t.config.http.port })
}

/** The attributes of one tag, e.g. `<input type="hidden" name="a" value="b" />`. */
function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const match of tag.matchAll(/([a-z-]+)="([^"]*)"/g)) found[match[1]!] = unescape(match[2]!)
  return found
}

/** A form of a page: where it posts and its hidden fields (visible ones are the test's to fill). */
export function formOf(page: string, index = 0): PageForm {
  const forms = [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)]
  const match = forms[index]
  if (!match) throw new Error(`no form ${index} on the page:\n${page.slice(0, 2000)}`)
  const fields: Record<string, string> = {}
  for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    const { type, name, value } = attributes(input[0])
    if (type === 'hidden' && name !== undefined) fields[name] = value ?? ''
  }
  const { action, method } = attributes(match[1]!)
  if (method !== 'post' || action === undefined) throw new Error(`not a POST form: ${match[1]}`)
  return { action, fields }
}

/** The exact text of the page's <style> element (what the CSP hash must cover). */
export const styleOf = (page: string) => /<style>([\s\S]*?)<\/style>/.exec(page)?.[1]

const unescape = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** The link of a mail's text (first URL on a line of its own, or the first URL with `path`). */
export function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/[/]/g, '\\/')}(?:\\?token=[A-Za-z0-9_-]+)?`).exec(text)
  if (!match) throw new Error(`no ${path} link in:\n${text}`)
  return match[0]
}

/** A browser-like client: cookies per host (Secure ones too: loopback counts as a secure context). */
export function pageClient() {
  const jar = new Map<string, Map<string, string>>()

  function remember(host: string, setCookie: string[] | undefined) {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      const cookies = jar.get(host) ?? new Map<string, string>()
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ''
      if (expired) cookies.delete(name)
      else cookies.set(name, value)
      jar.set(host, cookies)
    }
  }

  function send(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const target = new URL(url)
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined
    const cookies = [...(jar.get(target.host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`)
    const headers: Record<string, string> = {
      'user-agent': 'lyceum-page-test',
      ...(cookies.length > 0 ? { cookie: cookies.join('; ') } : {}),
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }),
      ...options.headers,
    }
    return new Promise((resolve, reject) => {
      const request = http.request(target, { method, headers, lookup: toLoopback }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          remember(target.host, response.headers['set-cookie'])
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            url,
          })
        })
      })
      request.on('error', reject)
      if (body !== undefined) request.write(body)
      request.end()
    })
  }

  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, headers ? { headers } : {}),
    /** Posts `form` to the page's form action (relative to `page.url`), filling in `values`. */
    submit: (page: PageResponse, values: Record<string, string> = {}, headers?: Record<string, string>) => {
      const form = formOf(page.body)
      return send('POST', new URL(form.action, page.url).toString(), {
        form: { ...form.fields, ...values },
        ...(headers ? { headers } : {}),
      })
    },
    post: (url: string, form: Record<string, string>, headers?: Record<string, string>) =>
      send('POST', url, { form, ...(headers ? { headers } : {}) }),
    /** A JSON API call with this client's cookies (e.g. as the browser session). */
    api: (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}) =>
      send(method, url, { headers }),
    cookie: (host: string, name: string) => jar.get(host)?.get(name),
    forget: (host: string, name: string) => jar.get(host)?.delete(name),
  }
}

export type PageClient = ReturnType<typeof pageClient>

/**
 * The SSRF guard and the bounded client against real sockets on loopback. Host names other than
 * `localhost` resolve through an injected resolver, so nothing leaves the machine.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createEgress,
  egressPolicyFor,
  EgressFailedError,
  EgressRefusedError,
  type EgressPolicy,
  type ResolvedAddress,
} from './index.ts'

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

interface Receiver {
  port: number
  url: string
  requests: Received[]
  connections: number
}

const servers: http.Server[] = []
const timers: NodeJS.Timeout[] = []

afterAll(async () => {
  for (const timer of timers) clearInterval(timer)
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    ),
  )
})

/** A loopback HTTP server recording what reaches it; `respond` answers (or not). */
async function receiver(respond: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Receiver> {
  const state: Receiver = { port: 0, url: '', requests: [], connections: 0 }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      state.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      })
      respond(req, res)
    })
  })
  server.on('connection', () => state.connections++)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.port = (server.address() as AddressInfo).port
  state.url = `http://127.0.0.1:${state.port}/hook`
  return state
}

const PUBLIC: ResolvedAddress = { address: '93.184.215.14', family: 4 }
const LOOPBACK: ResolvedAddress = { address: '127.0.0.1', family: 4 }

function policy(overrides: Partial<EgressPolicy> = {}): EgressPolicy {
  return { allowHttp: true, allowPrivateNetworks: false, timeoutMs: 5_000, maxResponseBytes: 1024, ...overrides }
}

async function refusal(promise: Promise<unknown>): Promise<EgressRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'expected an EgressRefusedError').toBeInstanceOf(EgressRefusedError)
  return error as EgressRefusedError
}

async function failure(promise: Promise<unknown>): Promise<EgressFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'expected an EgressFailedError').toBeInstanceOf(EgressFailedError)
  return error as EgressFailedError
}

const payload = { headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' }

describe('with the development allowance off', () => {
  const strict = createEgress(policy())

  it.each([
    ['http://127.0.0.1:{port}/hook', /127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\)/],
    ['http://[::1]:{port}/hook', /::1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address \(where cloud metadata/],
    ['http://10.0.0.1/hook', /10\.0\.0\.1 is a private-network address \(10\.0\.0\.0\/8\)/],
    ['http://[::ffff:127.0.0.1]:{port}/hook', /::ffff:7f00:1 \(the IPv4-mapped form of 127\.0\.0\.1\) is a loopback/],
    ['http://[::ffff:7f00:1]:{port}/hook', /IPv4-mapped form of 127\.0\.0\.1/],
    ['http://[64:ff9b::7f00:1]:{port}/hook', /NAT64 form of 127\.0\.0\.1/],
    ['http://[64:ff9b::a9fe:a9fe]/', /NAT64 form of 169\.254\.169\.254\) is a link-local/],
    ['http://[2002:7f00:1::1]:{port}/', /6to4 form of 127\.0\.0\.1/],
    ['http://2130706433:{port}/hook', /127\.0\.0\.1 is a loopback/],
    ['http://0177.0.0.1:{port}/hook', /127\.0\.0\.1 is a loopback/],
    ['http://127.1:{port}/hook', /127\.0\.0\.1 is a loopback/],
    ['http://0x7f000001:{port}/hook', /127\.0\.0\.1 is a loopback/],
    ['http://0.0.0.0:{port}/hook', /0\.0\.0\.0 is an unspecified address/],
  ])('refuses %s at registration and at delivery, and nothing reaches the receiver', async (template, message) => {
    const target = await receiver((_, res) => res.end('ok'))
    const url = template.replace('{port}', String(target.port))
    const checked = await refusal(strict.checkUrl(url))
    expect(checked.reason).toBe('address')
    expect(checked.message).toMatch(message)
    expect(checked.message).toMatch(/only public internet addresses can be called/)
    const sent = await refusal(strict.post(url, payload))
    expect(sent.reason).toBe('address')
    expect(target.connections).toBe(0)
  })

  it('refuses localhost (and its subdomains), loopback by definition, naming the range but not the address', async () => {
    const target = await receiver((_, res) => res.end('ok'))
    expect((await refusal(strict.checkUrl(`http://app.LOCALHOST.:${target.port}/hook`))).reason).toBe('address')
    const url = `http://localhost:${target.port}/hook`
    const checked = await refusal(strict.checkUrl(url))
    expect(checked.reason).toBe('address')
    expect(checked.message).toMatch(/^localhost resolves to a loopback address \((127\.0\.0\.0\/8|::1\/128)\)/)
    expect((await refusal(strict.post(url, payload))).reason).toBe('address')
    expect(target.connections).toBe(0)
  })

  it('refuses a host name resolving to loopback, and one whose answers mix a public and a private address', async () => {
    const answers: Record<string, ResolvedAddress[]> = {
      'receiver.example': [LOOPBACK],
      'mixed.example': [PUBLIC, { address: '10.1.2.3', family: 4 }],
      'mapped.example': [{ address: '::ffff:169.254.169.254', family: 6 }],
    }
    const egress = createEgress(policy({ resolve: async (host) => answers[host] ?? [] }))
    const loopback = await refusal(egress.checkUrl('https://receiver.example/hook'))
    expect(loopback.message).toBe(
      'receiver.example resolves to a loopback address (127.0.0.0/8); only public internet addresses can be called',
    )
    expect(loopback.address).toBe('127.0.0.1')
    const mixed = await refusal(egress.checkUrl('https://mixed.example/hook'))
    expect(mixed.message).toMatch(/^mixed\.example resolves to a private-network address \(10\.0\.0\.0\/8\)/)
    expect((await refusal(egress.checkUrl('https://mapped.example/'))).message).toMatch(/link-local/)
  })

  it('judges the address at connect time: public when registered, loopback when delivered is refused', async () => {
    const target = await receiver((_, res) => res.end('ok'))
    let calls = 0
    const rebinding = createEgress(policy({ resolve: async () => (calls++ === 0 ? [PUBLIC] : [LOOPBACK]) }))
    const url = `http://rebind.example:${target.port}/hook`
    await expect(rebinding.checkUrl(url)).resolves.toBeUndefined()
    const refused = await refusal(rebinding.post(url, payload))
    expect(refused.reason).toBe('address')
    expect(refused.message).toMatch(/^rebind\.example resolves to a loopback address/)
    expect(calls).toBe(2)
    expect(target.connections).toBe(0)
  })

  it('refuses a name that does not resolve at registration, and fails (retryably) at delivery', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' })
    const egress = createEgress(policy({ resolve: () => Promise.reject(notFound) }))
    const refused = await refusal(egress.checkUrl('https://nowhere.example/hook'))
    expect(refused).toMatchObject({ reason: 'dns', message: 'nowhere.example could not be resolved (ENOTFOUND)' })
    const failed = await failure(egress.post('https://nowhere.example/hook', payload))
    expect(failed).toMatchObject({ reason: 'dns', message: 'nowhere.example could not be resolved (ENOTFOUND)' })
  })

  it("reports the name server's own failure (c-ares: a query syscall) as dns, not as a refused connection", async () => {
    const serverDown = Object.assign(new Error('queryA ECONNREFUSED hooks.example'), {
      code: 'ECONNREFUSED',
      syscall: 'queryA',
    })
    const egress = createEgress(policy({ resolve: () => Promise.reject(serverDown) }))
    const failed = await failure(egress.post('https://hooks.example/hook', payload))
    expect(failed).toMatchObject({ reason: 'dns', message: 'hooks.example could not be resolved (ECONNREFUSED)' })
  })

  it('refuses URLs that are not plain http(s) with a host and no credentials', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['not a url', 'url', /not a valid absolute URL/],
      ['ftp://files.example/', 'scheme', /must use https; "ftp" URLs are not supported/],
      ['file:///etc/passwd', 'scheme', /"file" URLs are not supported/],
      ['https://user:secret@partner.example/hook', 'url', /must not contain a user name or password/],
      ['https://partner.example:0/hook', 'url', /port 0/],
    ]
    const egress = createEgress(policy({ resolve: async () => [PUBLIC] }))
    for (const [url, reason, message] of cases) {
      const refused = await refusal(egress.checkUrl(url))
      expect({ url, reason: refused.reason }).toEqual({ url, reason })
      expect(refused.message).toMatch(message)
      expect((await refusal(egress.post(url, payload))).reason).toBe(reason)
    }
  })

  it('accepts a public https URL at registration', async () => {
    const egress = createEgress(policy({ resolve: async () => [PUBLIC, { address: '2606:2800:21f::1', family: 6 }] }))
    await expect(egress.checkUrl('https://partner.example/hooks/lyceum')).resolves.toBeUndefined()
    await expect(egress.checkUrl('https://93.184.215.14:8443/hook')).resolves.toBeUndefined()
  })
})

describe('the production policy', () => {
  const production = createEgress({
    ...egressPolicyFor({ egress: { allowHttp: false, allowPrivateNetworks: false } }),
    resolve: async () => [PUBLIC],
  })

  it('refuses plain http, at registration and at delivery', async () => {
    const refused = await refusal(production.checkUrl('http://partner.example/hook'))
    expect(refused).toMatchObject({ reason: 'scheme', message: expect.stringMatching(/must use https/) })
    expect((await refusal(production.post('http://partner.example/hook', payload))).reason).toBe('scheme')
    await expect(production.checkUrl('https://partner.example/hook')).resolves.toBeUndefined()
  })

  it('has the 15-second deadline and the 64 KiB response cap', () => {
    expect(egressPolicyFor({ egress: { allowHttp: false, allowPrivateNetworks: false } })).toMatchObject({
      timeoutMs: 15_000,
      maxResponseBytes: 65_536,
    })
  })
})

describe('with the development allowance on (a local receiver)', () => {
  const local = createEgress(policy({ allowPrivateNetworks: true, timeoutMs: 300 }))

  it('POSTs the body and headers to a loopback receiver and returns its answer', async () => {
    const target = await receiver((_, res) => {
      res.setHeader('x-receiver', 'yes')
      res.statusCode = 202
      res.end('accepted')
    })
    const response = await local.post(target.url, {
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body: '{"type":"ping","text":"héllo"}',
    })
    expect(response).toMatchObject({ status: 202, body: 'accepted', truncated: false })
    expect(response.headers['x-receiver']).toBe('yes')
    expect(response.durationMs).toBeGreaterThanOrEqual(0)
    expect(target.requests).toHaveLength(1)
    expect(target.requests[0]).toMatchObject({ method: 'POST', url: '/hook', body: '{"type":"ping","text":"héllo"}' })
    expect(target.requests[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'content-length': String(Buffer.byteLength('{"type":"ping","text":"héllo"}')),
      'user-agent': 'Lyceum',
      connection: 'close',
    })
  })

  it('connects to the address its own lookup judged (a name only the injected resolver knows)', async () => {
    const target = await receiver((_, res) => res.end('ok'))
    const named = createEgress(
      policy({ allowPrivateNetworks: true, resolve: async (host) => (host === 'receiver.test' ? [LOOPBACK] : []) }),
    )
    const response = await named.post(`http://receiver.test:${target.port}/hook`, payload)
    expect(response.status).toBe(200)
    expect(target.requests[0]!.headers.host).toBe(`receiver.test:${target.port}`)
  })

  it('still refuses link-local (cloud metadata), multicast and reserved addresses', async () => {
    for (const url of ['http://169.254.169.254/', 'http://[fe80::1]/', 'http://224.0.0.1/', 'http://240.0.0.1/']) {
      expect((await refusal(local.checkUrl(url))).reason).toBe('address')
    }
  })

  it('never follows a redirect: a 302 to another loopback server comes back as the response', async () => {
    const second = await receiver((_, res) => res.end('should never be reached'))
    const first = await receiver((_, res) => {
      res.writeHead(302, { location: second.url })
      res.end()
    })
    const response = await local.post(first.url, payload)
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe(second.url)
    expect(second.connections).toBe(0)
    expect(second.requests).toHaveLength(0)
  })

  it('keeps at most maxResponseBytes of the body and marks it truncated', async () => {
    const big = await receiver((_, res) => res.end('x'.repeat(200_000)))
    const response = await local.post(big.url, payload)
    expect(response.status).toBe(200)
    expect(response.truncated).toBe(true)
    expect(response.body).toBe('x'.repeat(1024))
    const exact = await receiver((_, res) => res.end('y'.repeat(1024)))
    expect(await local.post(exact.url, payload)).toMatchObject({ body: 'y'.repeat(1024), truncated: false })
  })

  it('fails with timeout when the receiver accepts and never answers', async () => {
    const silent = await receiver(() => {})
    expect((await failure(local.post(silent.url, payload))).reason).toBe('timeout')
  })

  it('fails with timeout when the receiver sends headers and then stalls', async () => {
    const stalling = await receiver((_, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('partial')
    })
    const failed = await failure(local.post(stalling.url, payload))
    expect(failed.reason).toBe('timeout')
    expect(failed.message).toMatch(/did not answer completely within 300 ms/)
  })

  it('fails with timeout when the receiver dribbles its body a byte at a time', async () => {
    const dribbling = await receiver((_, res) => {
      res.writeHead(200)
      const timer = setInterval(() => res.write('.'), 20)
      timers.push(timer)
      res.on('close', () => clearInterval(timer))
    })
    expect((await failure(local.post(dribbling.url, payload))).reason).toBe('timeout')
  })

  it('counts DNS in the deadline: a resolver that never answers fails with timeout', async () => {
    const hanging = createEgress(
      policy({ allowPrivateNetworks: true, timeoutMs: 300, resolve: () => new Promise<never>(() => {}) }),
    )
    expect((await failure(hanging.post('http://slow-dns.test/hook', payload))).reason).toBe('timeout')
    const refused = await refusal(hanging.checkUrl('http://slow-dns.test/hook'))
    expect(refused).toMatchObject({ reason: 'dns', message: 'slow-dns.test did not resolve within 300 ms' })
  })

  it('fails with connect when nothing listens', async () => {
    const gone = await receiver((_, res) => res.end())
    const server = servers.pop()!
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const failed = await failure(local.post(gone.url, payload))
    expect(failed).toMatchObject({ reason: 'connect', message: expect.stringMatching(/ECONNREFUSED/) })
  })

  it('fails with tls when an https URL reaches a server that does not speak TLS', async () => {
    const plain = await receiver((_, res) => res.end())
    const failed = await failure(local.post(`https://127.0.0.1:${plain.port}/hook`, payload))
    expect(failed.reason).toBe('tls')
  })

  it('fails with reset when the receiver drops the connection mid-response', async () => {
    const dropping = await receiver((req, res) => {
      res.writeHead(200, { 'content-length': '1000' })
      res.write('only part', () => req.socket.destroy())
    })
    expect((await failure(local.post(dropping.url, payload))).reason).toBe('reset')
  })

  it("fails with aborted when the caller's signal fires", async () => {
    const silent = await receiver(() => {})
    const controller = new AbortController()
    const pending = failure(
      createEgress(policy({ allowPrivateNetworks: true })).post(silent.url, {
        ...payload,
        signal: controller.signal,
      }),
    )
    controller.abort()
    expect((await pending).reason).toBe('aborted')
  })
})

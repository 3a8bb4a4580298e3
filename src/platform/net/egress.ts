/**
 * The outbound HTTP client for URLs that tenants supply (webhook endpoints, later other
 * integrations), guarded against server-side request forgery (ADR 0033):
 * - the URL: https only (plain http only where the policy allows it: outside production), no
 *   user name or password, a host;
 * - the address: judged where the connection is made. The socket's `lookup` resolves the host,
 *   refuses the connection when ANY answer is blocked, and hands the socket only addresses it
 *   judged, so nothing can change between the check and the connect (DNS rebinding). Literal
 *   IP hosts are judged as written after WHATWG normalisation (`2130706433`, `0177.0.0.1` and
 *   `127.1` all become 127.0.0.1 before the check);
 * - the exchange: no redirect is followed (a 3xx is returned to the caller), the response body is
 *   kept up to a cap, and one deadline covers DNS, connect, TLS, the request, headers and body.
 */
import { Resolver } from 'node:dns/promises'
import { isIP, type LookupFunction } from 'node:net'
import type { Config } from '../../config.ts'
import { judgeAddress } from './address-policy.ts'
import { EgressFailedError, EgressRefusedError, egressFailure } from './egress-errors.ts'
import { sendRequest } from './egress-request.ts'

export const DEFAULT_EGRESS_TIMEOUT_MS = 15_000
export const DEFAULT_EGRESS_MAX_RESPONSE_BYTES = 64 * 1024

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

export interface EgressPolicy {
  /** Plain http allowed (development and test only; production requires https). */
  allowHttp: boolean
  /** Loopback and private addresses allowed: an explicit development allowance for local receivers; refused in production. */
  allowPrivateNetworks: boolean
  /** Total deadline: DNS + connect + TLS + request + headers + body. */
  timeoutMs: number
  /** Response body kept at most this many bytes (then the connection is destroyed). */
  maxResponseBytes: number
  /** Resolver, injectable for tests (default: c-ares, A and AAAA; see systemResolve). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>
}

export interface EgressResponse {
  status: number
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>
  /** The body as UTF-8, at most maxResponseBytes of it. */
  body: string
  /** The receiver sent more than maxResponseBytes; the rest was not read. */
  truncated: boolean
  durationMs: number
}

export interface EgressRequest {
  headers: Record<string, string>
  /** Text is sent as UTF-8; bytes as they are (an encrypted web push payload). */
  body: string | Uint8Array
  /** Cancels the request (e.g. a worker shutting down): it fails with reason 'aborted'. */
  signal?: AbortSignal
}

export interface Egress {
  /** Checks a URL an administrator registers (scheme, syntax, literal IPs, every resolved address); throws EgressRefusedError. */
  checkUrl(url: string): Promise<void>
  /**
   * POSTs a body. Never follows redirects: a 3xx comes back as a response (the caller treats it as
   * failure). Rejects with EgressRefusedError (policy) or EgressFailedError (network, deadline).
   */
  post(url: string, init: EgressRequest): Promise<EgressResponse>
}

export { EgressFailedError, EgressRefusedError } from './egress-errors.ts'

/** The policy of the platform's one Egress: https only in production, private networks only when allowed. */
export function egressPolicyFor(config: Pick<Config, 'egress'>): EgressPolicy {
  return {
    allowHttp: config.egress.allowHttp,
    allowPrivateNetworks: config.egress.allowPrivateNetworks,
    timeoutMs: DEFAULT_EGRESS_TIMEOUT_MS,
    maxResponseBytes: DEFAULT_EGRESS_MAX_RESPONSE_BYTES,
  }
}

interface Target {
  url: URL
  /** The host without IPv6 brackets; for IP literals the normalised address. */
  host: string
  /** 4 or 6 for an IP literal host, 0 for a name. */
  literal: 0 | 4 | 6
}

function parseTarget(raw: string, policy: EgressPolicy): Target {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new EgressRefusedError('url', 'The URL is not a valid absolute URL')
  }
  const scheme = url.protocol.slice(0, -1)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new EgressRefusedError('scheme', `The URL must use https; "${scheme}" URLs are not supported`)
  if (url.protocol === 'http:' && !policy.allowHttp)
    throw new EgressRefusedError('scheme', 'The URL must use https: plain http would carry the payload unencrypted')
  if (url.username !== '' || url.password !== '')
    throw new EgressRefusedError('url', 'The URL must not contain a user name or password (user:password@)')
  if (url.port === '0') throw new EgressRefusedError('url', 'The URL names port 0, which no server listens on')
  // WHATWG URL has already normalised IPv4 spellings (decimal, octal, hex, short forms) and IPv6.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  if (host === '') throw new EgressRefusedError('url', 'The URL has no host')
  return { url, host, literal: isIP(host) as 0 | 4 | 6 }
}

/**
 * Names resolve through c-ares (dns.Resolver), not dns.lookup: getaddrinfo runs on libuv's
 * four-thread pool and cannot be cancelled, so an endpoint whose DNS server stalls on purpose
 * would hold those threads, shared with file I/O, crypto and password hashing, for as long as it
 * likes. c-ares works on the event loop with its own timeout. It does not read /etc/hosts:
 * `localhost` and its subdomains are loopback by definition (RFC 6761) and answered here; other
 * names from /etc/hosts are unknown to egress.
 */
const resolver = new Resolver({ timeout: 3_000, tries: 2 })

const LOOPBACK_ANSWERS: ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return LOOPBACK_ANSWERS
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)])
  const answers: ResolvedAddress[] = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
  ]
  if (answers.length > 0) return answers
  throw v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : new Error('no address')
}

/** Throws EgressRefusedError unless every address is allowed; the detail names the first refused one. */
function judgeAll(host: string, literal: boolean, answers: ResolvedAddress[], policy: EgressPolicy): void {
  for (const { address } of answers) {
    const verdict = judgeAddress(address, policy)
    if (verdict.allowed) continue
    // A host name's answer is named by its range only: the exact internal address is for our logs.
    const detail = literal
      ? `The URL's address ${verdict.description}; only public internet addresses can be called`
      : `${host} resolves to ${verdict.summary}; only public internet addresses can be called`
    throw new EgressRefusedError('address', detail, address)
  }
}

function resolveWithin(host: string, policy: EgressPolicy): Promise<ResolvedAddress[]> {
  const resolve = policy.resolve ?? systemResolve
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EgressFailedError('timeout', `${host} did not resolve within ${policy.timeoutMs} ms`)),
      policy.timeoutMs,
    )
  })
  return Promise.race([resolve(host), deadline]).finally(() => clearTimeout(timer))
}

/** The answers the socket may use: every answer judged (one blocked refuses all), then the family asked for. */
function usableAnswers(hostname: string, answers: ResolvedAddress[], family: unknown, policy: EgressPolicy) {
  judgeAll(hostname, false, answers, policy)
  const usable = family === 4 || family === 6 ? answers.filter((answer) => answer.family === family) : answers
  if (usable.length === 0) throw new EgressFailedError('dns', `${hostname} has no address to connect to`)
  return usable
}

/**
 * The socket's lookup: resolves, refuses when any answer is blocked, and gives the socket only
 * addresses judged here, so what was judged is what is connected to. Our errors reach the
 * request's 'error' event unchanged.
 */
function guardedLookup(policy: EgressPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve
  return (hostname, options, callback) => {
    Promise.resolve(hostname)
      .then(resolve)
      .then((answers) => usableAnswers(hostname, answers, options.family, policy))
      .then(
        (usable) => (options.all ? callback(null, usable) : callback(null, usable[0]!.address, usable[0]!.family)),
        (error: unknown) => callback(egressFailure(error, hostname) as NodeJS.ErrnoException, ''),
      )
  }
}

export function createEgress(policy: EgressPolicy): Egress {
  const lookup = guardedLookup(policy)
  return {
    async checkUrl(raw) {
      const target = parseTarget(raw, policy)
      if (target.literal) return judgeAll(target.host, true, [{ address: target.host, family: target.literal }], policy)
      const answers = await resolveWithin(target.host, policy).catch((error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code
        const detail =
          error instanceof EgressFailedError
            ? error.detail
            : `${target.host} could not be resolved${code ? ` (${String(code)})` : ''}`
        throw new EgressRefusedError('dns', detail)
      })
      if (answers.length === 0) throw new EgressRefusedError('dns', `${target.host} has no address`)
      judgeAll(target.host, false, answers, policy)
    },
    async post(raw, init) {
      const target = parseTarget(raw, policy)
      if (target.literal) judgeAll(target.host, true, [{ address: target.host, family: target.literal }], policy)
      return sendRequest(target.url, target.host, init, { ...policy, lookup })
    },
  }
}

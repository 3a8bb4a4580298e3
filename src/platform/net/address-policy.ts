/**
 * Which IP addresses an outbound request to a partner-supplied URL may connect to (ADR 0033).
 * Every range that is not the public internet is refused: loopback, private networks, link-local
 * (where cloud metadata services answer), CGNAT, documentation, benchmarking, multicast and the
 * reserved blocks. IPv6 addresses that carry an IPv4 address (IPv4-mapped, IPv4-compatible,
 * NAT64, 6to4) are judged by the IPv4 address inside, so `[::ffff:127.0.0.1]` is loopback.
 *
 * The development allowance (EGRESS_ALLOW_PRIVATE_NETWORKS) opens only what a local receiver
 * needs: loopback, private networks and CGNAT. Link-local, multicast, reserved and
 * documentation ranges stay closed even then; nothing legitimate listens there.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** Why an address is refused, in words an administrator can act on. */
export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'reserved'
  | 'not-an-ip'

interface Range {
  cidr: string
  kind: AddressKind
}

const KIND_WORDS: Record<AddressKind, string> = {
  unspecified: 'an unspecified address ("this host")',
  loopback: 'a loopback address',
  private: 'a private-network address',
  shared: 'a carrier-grade NAT (shared) address',
  'link-local': 'a link-local address (where cloud metadata services answer)',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  multicast: 'a multicast or broadcast address',
  reserved: 'a reserved address',
  'not-an-ip': 'not a plain IP address',
}

/** Kinds the development allowance opens: where a local receiver runs. */
const ALLOWANCE_KINDS: ReadonlySet<AddressKind> = new Set(['loopback', 'private', 'shared'])

const IPV4_RANGES: Range[] = [
  { cidr: '0.0.0.0/8', kind: 'unspecified' },
  { cidr: '10.0.0.0/8', kind: 'private' },
  { cidr: '100.64.0.0/10', kind: 'shared' },
  { cidr: '127.0.0.0/8', kind: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local' },
  { cidr: '172.16.0.0/12', kind: 'private' },
  { cidr: '192.0.0.0/24', kind: 'reserved' },
  { cidr: '192.0.2.0/24', kind: 'documentation' },
  { cidr: '192.88.99.0/24', kind: 'reserved' },
  { cidr: '192.168.0.0/16', kind: 'private' },
  { cidr: '198.18.0.0/15', kind: 'benchmarking' },
  { cidr: '198.51.100.0/24', kind: 'documentation' },
  { cidr: '203.0.113.0/24', kind: 'documentation' },
  { cidr: '224.0.0.0/4', kind: 'multicast' },
  // Before 240/4, which contains it, so the message says broadcast.
  { cidr: '255.255.255.255/32', kind: 'multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved' },
]

/** IPv6 ranges refused outright; the ranges that embed IPv4 are handled by embeddedIpv4 first. */
const IPV6_RANGES: Range[] = [
  { cidr: '::/128', kind: 'unspecified' },
  { cidr: '::1/128', kind: 'loopback' },
  { cidr: 'fc00::/7', kind: 'private' },
  { cidr: 'fe80::/10', kind: 'link-local' },
  // Deprecated site-local (RFC 3879): never a public host.
  { cidr: 'fec0::/10', kind: 'private' },
  { cidr: 'ff00::/8', kind: 'multicast' },
  { cidr: '2001:db8::/32', kind: 'documentation' },
  { cidr: '3fff::/20', kind: 'documentation' },
  { cidr: '100::/64', kind: 'reserved' },
  // IETF protocol assignments: Teredo (an obfuscated IPv4 inside), benchmarking, ORCHID; no partner is hosted there.
  { cidr: '2001::/23', kind: 'reserved' },
  // Local-use NAT64 (RFC 8215): translates into the operator's own network.
  { cidr: '64:ff9b:1::/48', kind: 'private' },
]

function listOf(ranges: Range[], family: 'ipv4' | 'ipv6'): Array<{ range: Range; list: BlockList }> {
  return ranges.map((range) => {
    const [network = '', prefix = ''] = range.cidr.split('/')
    const list = new BlockList()
    list.addSubnet(network, Number(prefix), family)
    return { range, list }
  })
}

const IPV4_LISTS = listOf(IPV4_RANGES, 'ipv4')
const IPV6_LISTS = listOf(IPV6_RANGES, 'ipv6')

/** The verdict on one address: allowed, or refused with its kind and a sentence for the administrator. */
export type AddressVerdict =
  | { allowed: true }
  | {
      allowed: false
      kind: AddressKind
      range: string
      /** The kind and range, e.g. "a loopback address (127.0.0.0/8)". */
      summary: string
      /** The address, the IPv4 inside it if any, and the summary. */
      description: string
    }

/** The eight 16-bit groups of an IPv6 address (already validated by isIPv6), dotted IPv4 tails included. */
export function ipv6Groups(address: string): number[] {
  const lastColon = address.lastIndexOf(':')
  let text = address
  if (address.includes('.', lastColon)) {
    // A dotted IPv4 tail stands for the last two groups: rewrite it as them.
    const [a = 0, b = 0, c = 0, d = 0] = address
      .slice(lastColon + 1)
      .split('.')
      .map(Number)
    text = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)))
  const [head = '', rest] = text.split('::')
  if (rest === undefined) return parse(head)
  const before = parse(head)
  const after = parse(rest)
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after]
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

/**
 * The IPv4 address an IPv6 address carries, with the name of the form: IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64
 * (64:ff9b::/96) or 6to4 (2002::/16).
 */
export function embeddedIpv4(address: string): { ipv4: string; form: string } | undefined {
  const g = ipv6Groups(address)
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0)
  const last = ipv4Of(g[6] ?? 0, g[7] ?? 0)
  if (zeros(0, 5) && g[5] === 0xffff) return { ipv4: last, form: 'IPv4-mapped' }
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return { ipv4: last, form: 'IPv4-translated' }
  if (zeros(0, 6)) return { ipv4: last, form: 'IPv4-compatible' }
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return { ipv4: last, form: 'NAT64' }
  if (g[0] === 0x2002) return { ipv4: ipv4Of(g[1] ?? 0, g[2] ?? 0), form: '6to4' }
  return undefined
}

function refused(address: string, range: Range, inside?: string): AddressVerdict {
  const what = inside ? `${address} (${inside})` : address
  const summary = `${KIND_WORDS[range.kind]} (${range.cidr})`
  return { allowed: false, kind: range.kind, range: range.cidr, summary, description: `${what} is ${summary}` }
}

/** The range an address falls in, or undefined for a public address; IPv4 inside IPv6 is unwrapped. */
function blockedRange(address: string): { range: Range; inside?: string } | undefined {
  if (isIPv4(address)) {
    const hit = IPV4_LISTS.find(({ list }) => list.check(address, 'ipv4'))
    return hit ? { range: hit.range } : undefined
  }
  // ::1 and :: are IPv4-compatible in form but are themselves loopback and unspecified.
  const own = IPV6_LISTS.find(({ list }) => list.check(address, 'ipv6'))
  if (own) return { range: own.range }
  const embedded = embeddedIpv4(address)
  if (!embedded) return undefined
  const inner = blockedRange(embedded.ipv4)
  return inner ? { range: inner.range, inside: `the ${embedded.form} form of ${embedded.ipv4}` } : undefined
}

/**
 * Whether an outbound connection may go to `address` (an IP address in canonical or any valid
 * textual form). Anything that is not a plain IP address (a zone-scoped address, a host name) is
 * refused: the caller resolves names first and judges every answer.
 */
export function judgeAddress(address: string, options: { allowPrivateNetworks: boolean }): AddressVerdict {
  if (!isIPv4(address) && !(isIPv6(address) && !address.includes('%')))
    return {
      allowed: false,
      kind: 'not-an-ip',
      range: '',
      summary: KIND_WORDS['not-an-ip'],
      description: `${address} is ${KIND_WORDS['not-an-ip']}`,
    }
  const hit = blockedRange(address)
  if (!hit) return { allowed: true }
  if (options.allowPrivateNetworks && ALLOWANCE_KINDS.has(hit.range.kind)) return { allowed: true }
  return refused(address, hit.range, hit.inside)
}

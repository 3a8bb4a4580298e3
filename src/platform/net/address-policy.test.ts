import { describe, expect, it } from 'vitest'
import { embeddedIpv4, ipv6Groups, judgeAddress } from './address-policy.ts'

const strict = { allowPrivateNetworks: false }
const allowance = { allowPrivateNetworks: true }

describe('judgeAddress', () => {
  // [address, kind refused as (undefined = public), still refused under the development allowance]
  const table: Array<[string, string | undefined, boolean]> = [
    ['0.0.0.0', 'unspecified', true],
    ['0.1.2.3', 'unspecified', true],
    ['10.0.0.1', 'private', false],
    ['10.255.255.255', 'private', false],
    ['100.64.0.1', 'shared', false],
    ['100.127.255.254', 'shared', false],
    ['100.128.0.1', undefined, false],
    ['127.0.0.1', 'loopback', false],
    ['127.255.0.9', 'loopback', false],
    ['169.254.169.254', 'link-local', true],
    ['169.254.0.1', 'link-local', true],
    ['172.16.0.1', 'private', false],
    ['172.31.255.255', 'private', false],
    ['172.32.0.1', undefined, false],
    ['192.0.0.8', 'reserved', true],
    ['192.0.2.10', 'documentation', true],
    ['192.88.99.1', 'reserved', true],
    ['192.168.1.1', 'private', false],
    ['198.18.0.1', 'benchmarking', true],
    ['198.19.255.255', 'benchmarking', true],
    ['198.51.100.7', 'documentation', true],
    ['203.0.113.5', 'documentation', true],
    ['224.0.0.1', 'multicast', true],
    ['239.255.255.250', 'multicast', true],
    ['240.0.0.1', 'reserved', true],
    ['255.255.255.255', 'multicast', true],
    ['8.8.8.8', undefined, false],
    ['93.184.215.14', undefined, false],
    ['::', 'unspecified', true],
    ['::1', 'loopback', false],
    ['0:0:0:0:0:0:0:1', 'loopback', false],
    ['fc00::1', 'private', false],
    ['fd12:3456::1', 'private', false],
    ['fe80::1', 'link-local', true],
    ['febf::1', 'link-local', true],
    ['fec0::1', 'private', false],
    ['ff02::1', 'multicast', true],
    ['2001:db8::1', 'documentation', true],
    ['100::1', 'reserved', true],
    ['2001::1', 'reserved', true],
    ['64:ff9b:1::a00:1', 'private', false],
    ['2606:4700:4700::1111', undefined, false],
    ['2a00:1450:4001:80b::200e', undefined, false],
    // IPv6 forms that carry an IPv4 address are judged by it.
    ['::ffff:127.0.0.1', 'loopback', false],
    ['::ffff:7f00:1', 'loopback', false],
    ['::ffff:a9fe:a9fe', 'link-local', true],
    ['::ffff:10.0.0.1', 'private', false],
    ['::ffff:8.8.8.8', undefined, false],
    ['::ffff:0:7f00:1', 'loopback', false],
    ['::127.0.0.1', 'loopback', false],
    ['::a9fe:a9fe', 'link-local', true],
    ['64:ff9b::7f00:1', 'loopback', false],
    ['64:ff9b::169.254.169.254', 'link-local', true],
    ['64:ff9b::808:808', undefined, false],
    ['2002:7f00:1::', 'loopback', false],
    ['2002:a9fe:a9fe::1', 'link-local', true],
    ['2002:c0a8:101::1', 'private', false],
    ['2002:808:808::1', undefined, false],
  ]

  it.each(table)('judges %s as %s', (address, kind, refusedEvenWithAllowance) => {
    const verdict = judgeAddress(address, strict)
    if (kind === undefined) {
      expect(verdict).toEqual({ allowed: true })
      expect(judgeAddress(address, allowance)).toEqual({ allowed: true })
      return
    }
    expect(verdict).toMatchObject({ allowed: false, kind })
    expect(judgeAddress(address, allowance).allowed).toBe(!refusedEvenWithAllowance)
  })

  it('names the IPv4 address inside an IPv6 form and its range', () => {
    const verdict = judgeAddress('::ffff:7f00:1', strict)
    expect(verdict.allowed).toBe(false)
    if (verdict.allowed) return
    expect(verdict.description).toBe(
      '::ffff:7f00:1 (the IPv4-mapped form of 127.0.0.1) is a loopback address (127.0.0.0/8)',
    )
    expect(verdict.range).toBe('127.0.0.0/8')
  })

  it('refuses what is not a plain IP address: host names and zone-scoped addresses', () => {
    expect(judgeAddress('localhost', allowance)).toMatchObject({ allowed: false, kind: 'not-an-ip' })
    expect(judgeAddress('fe80::1%eth0', allowance)).toMatchObject({ allowed: false, kind: 'not-an-ip' })
    expect(judgeAddress('', allowance)).toMatchObject({ allowed: false, kind: 'not-an-ip' })
  })
})

describe('ipv6Groups and embeddedIpv4', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['64:ff9b::192.0.2.33', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221]],
  ])('expands %s', (address, groups) => {
    expect(ipv6Groups(address)).toEqual(groups)
  })

  it.each([
    ['::ffff:7f00:1', '127.0.0.1', 'IPv4-mapped'],
    ['::ffff:0:a00:1', '10.0.0.1', 'IPv4-translated'],
    ['::c0a8:1', '192.168.0.1', 'IPv4-compatible'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254', 'NAT64'],
    ['2002:c000:221::', '192.0.2.33', '6to4'],
  ])('finds the IPv4 address inside %s', (address, ipv4, form) => {
    expect(embeddedIpv4(address)).toEqual({ ipv4, form })
  })

  it('finds none in an ordinary IPv6 address', () => {
    expect(embeddedIpv4('2606:4700:4700::1111')).toBeUndefined()
  })
})

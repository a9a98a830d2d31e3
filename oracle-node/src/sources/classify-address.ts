/**
 * Classifies an IP address literal so the fetcher can refuse anything that is not plainly on the public
 * internet (SSRF defence). Works on bytes, not string prefixes: `::ffff:127.0.0.1`, `::ffff:7f00:1`,
 * `0:0:0:0:0:ffff:7f00:0001` and `64:ff9b::7f00:1` all reach loopback and are all classified as such.
 *
 * Ranges: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates). Everything
 * that is not globally reachable unicast is refused, including documentation and benchmarking nets,
 * because a public source never legitimately lives there.
 */
import { isIP } from 'node:net'

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'unspecified'
  | 'cgnat'
  | 'reserved'
  | 'invalid'

export type ClassifyAddressReturnType = AddressClass

type V4Range = readonly [prefix: readonly [number, number, number, number], bits: number, cls: AddressClass]

const v4Ranges: readonly V4Range[] = [
  [[0, 0, 0, 0], 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'cgnat'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link_local'], // includes cloud metadata 169.254.169.254
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2, 0], 24, 'reserved'], // TEST-NET-1
  [[192, 88, 99, 0], 24, 'reserved'], // 6to4 relay anycast (deprecated)
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'], // benchmarking
  [[198, 51, 100, 0], 24, 'reserved'], // TEST-NET-2
  [[203, 0, 113, 0], 24, 'reserved'], // TEST-NET-3
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'], // includes broadcast 255.255.255.255
]

function inPrefix(bytes: ArrayLike<number>, prefix: ArrayLike<number>, bits: number): boolean {
  for (let i = 0; i < prefix.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

function classifyV4(bytes: readonly number[]): AddressClass {
  for (const [prefix, bits, cls] of v4Ranges) if (inPrefix(bytes, prefix, bits)) return cls
  return 'public'
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const bytes: number[] = []
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    bytes.push(n)
  }
  return bytes
}

/** 16 bytes of an IPv6 literal (zone id dropped, embedded dotted IPv4 tail allowed). */
function parseV6(text: string): number[] | undefined {
  const zone = text.indexOf('%')
  let s = zone >= 0 ? text.slice(0, zone) : text
  let tail: number[] = []
  const lastColon = s.lastIndexOf(':')
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(s.slice(lastColon + 1))
    if (!v4) return undefined
    tail = v4
    s = s.slice(0, lastColon + 1) + '0:0' // placeholder groups, overwritten below
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (h: string | undefined) => (h ? h.split(':') : [])
  const head = toGroups(halves[0])
  const rest = toGroups(halves[1])
  const missing = 8 - head.length - rest.length
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest]
  const bytes: number[] = []
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
    const n = parseInt(g, 16)
    bytes.push(n >> 8, n & 0xff)
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail)
  return bytes.length === 16 ? bytes : undefined
}

const zero = (bytes: readonly number[], from: number, to: number) => bytes.slice(from, to).every((b) => b === 0)

function classifyV6(b: readonly number[]): AddressClass {
  if (zero(b, 0, 16)) return 'unspecified'
  if (zero(b, 0, 15) && b[15] === 1) return 'loopback'
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, deprecated): the IPv4 address decides.
  if (zero(b, 0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) return classifyV4(b.slice(12))
  // 64:ff9b::/96 NAT64 well-known prefix: a NAT64 gateway forwards to the embedded IPv4 address.
  if (inPrefix(b, [0x00, 0x64, 0xff, 0x9b], 32) && zero(b, 4, 12)) return classifyV4(b.slice(12))
  if (inPrefix(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) return 'private' // local-use NAT64
  // 2002::/16 6to4: bytes 2..5 are the IPv4 address of the tunnel end.
  if (inPrefix(b, [0x20, 0x02], 16)) return classifyV4(b.slice(2, 6))
  if (inPrefix(b, [0x01, 0x00], 64) && zero(b, 2, 8)) return 'reserved' // 100::/64 discard-only
  if (inPrefix(b, [0x20, 0x01, 0x00, 0x00], 23)) return 'reserved' // IETF assignments, Teredo 2001::/32
  if (inPrefix(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'reserved' // documentation
  if (inPrefix(b, [0xfc], 7)) return 'unique_local'
  if (inPrefix(b, [0xfe, 0x80], 10)) return 'link_local'
  if (inPrefix(b, [0xfe, 0xc0], 10)) return 'private' // site-local (deprecated)
  if (inPrefix(b, [0xff], 8)) return 'multicast'
  // Only 2000::/3 is allocated global unicast; anything else is not a public web server.
  if (!inPrefix(b, [0x20], 3)) return 'reserved'
  return 'public'
}

/** Classifies an IP literal (IPv4 dotted quad or IPv6, with or without brackets / zone id). */
export function classifyAddress(address: string): ClassifyAddressReturnType {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  const version = isIP(text.split('%')[0] ?? '')
  if (version === 4) {
    const v4 = parseV4(text)
    return v4 ? classifyV4(v4) : 'invalid'
  }
  if (version === 6) {
    const v6 = parseV6(text)
    return v6 ? classifyV6(v6) : 'invalid'
  }
  return 'invalid'
}

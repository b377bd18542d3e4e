/**
 * Address scopes: which addresses a node may dial. A node meant for one machine or one LAN
 * must not be steered by a peer into dialling the internet, and a public node must not be
 * steered into dialling its own loopback or its operator's private network (a peer announces
 * whatever addresses it likes). Every dial goes through {@link ScopeFilter.allows}: announced
 * addresses outside the scopes are dropped on arrival, and the connection gater refuses to dial
 * them whatever asked for it. The bootstrap list is the operator's own choice and always allowed.
 */
import { BlockList, isIP } from 'node:net'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'

/** Where an address leads: this machine, a private network, or the internet. */
export type AddressScope = 'loopback' | 'private' | 'public'

const ADDRESS_SCOPES: readonly AddressScope[] = ['loopback', 'private', 'public']

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

// RFC 1918, shared address space (RFC 6598), link-local; IPv6 unique-local and link-local.
const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')
PRIVATE.addSubnet('fe80::', 10, 'ipv6')

/**
 * The scope of an address, or undefined when it leads nowhere dialable (unspecified `0.0.0.0`
 * or `::`, multicast, an address without a host). DNS names count as public: the name is the
 * operator's promise of a reachable host, and its resolution is not ours to guess here.
 */
export function scopeOf(address: Multiaddr): AddressScope | undefined {
  const host = address.getComponents()[0]
  if (!host) return undefined
  if (host.name === 'dns' || host.name === 'dns4' || host.name === 'dns6' || host.name === 'dnsaddr')
    return 'public'
  if (host.name !== 'ip4' && host.name !== 'ip6') return undefined
  const ip = host.value ?? ''
  const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  if (LOOPBACK.check(ip, type)) return 'loopback'
  if (PRIVATE.check(ip, type)) return 'private'
  if (ip === '0.0.0.0' || ip === '::' || /^(22[4-9]|23\d|24\d|25[0-5])\./.test(ip) || /^ff/i.test(ip))
    return undefined
  return 'public'
}

/**
 * The scopes a node dials by default: those of the addresses it offers to peers (announce, or
 * else listen). A node listening on loopback dials loopback; one listening on every interface
 * (`0.0.0.0`, `::`) dials private and public addresses; its own loopback only if it offers it.
 */
export function defaultScopes(offered: readonly string[]): AddressScope[] {
  const scopes = new Set<AddressScope>()
  for (const text of offered) {
    const address = multiaddr(text)
    const host = address.getComponents()[0]?.value
    if (host === '0.0.0.0' || host === '::') {
      scopes.add('private')
      scopes.add('public')
      continue
    }
    const scope = scopeOf(address)
    if (scope) scopes.add(scope)
  }
  return ADDRESS_SCOPES.filter((scope) => scopes.has(scope))
}

/** Decides which addresses may be dialled: in the scopes, or on the bootstrap list. */
export class ScopeFilter {
  readonly scopes: ReadonlySet<AddressScope>
  readonly #always: ReadonlySet<string>

  /** `always`: transport addresses (without `/p2p/…`) allowed whatever their scope. */
  constructor(scopes: readonly AddressScope[], always: readonly Multiaddr[] = []) {
    this.scopes = new Set(scopes)
    this.#always = new Set(always.map(transportKey))
  }

  allows(address: Multiaddr): boolean {
    if (this.#always.has(transportKey(address))) return true
    const scope = scopeOf(address)
    return scope !== undefined && this.scopes.has(scope)
  }
}

/** The address without its `/p2p/<id>` part: what a dial reaches, whoever answers there. */
export function transportKey(address: Multiaddr): string {
  return address
    .getComponents()
    .filter((component) => component.name !== 'p2p')
    .map((component) => `/${component.name}${component.value === undefined ? '' : `/${component.value}`}`)
    .join('')
}

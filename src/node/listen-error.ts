/**
 * A node that cannot open one of its listening sockets (the REST API's, or the peer-to-peer
 * ones) says which, on which address, and why, so the command line can name the option to change.
 */
import { NetworkErrorCode } from '../network/index.ts'
import { CodedError } from '../protocol/index.ts'

export type ListenService = 'http' | 'p2p'

/** `LISTEN_FAILED`, with the service, the address and the system's reason in `details`. */
export class ListenError extends CodedError<typeof NetworkErrorCode.LISTEN_FAILED> {
  static override name = 'ListenError'
  override readonly name = 'ListenError'
  readonly service: ListenService
  /** `host:port` for HTTP, the multiaddr for peers. */
  readonly address: string
  /** The system's error code (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`), when known. */
  readonly reason: string | undefined
  constructor(
    service: ListenService,
    address: string,
    reason: string | undefined,
    cause: unknown,
    message = `cannot listen for ${service === 'http' ? 'the REST API' : 'peers'} on ${address}: ${listenReasonText(reason)}`,
  ) {
    super(NetworkErrorCode.LISTEN_FAILED, message, { service, address, reason }, { cause })
    this.service = service
    this.address = address
    this.reason = reason
  }
}

/** What a system error code means, in words. */
function listenReasonText(reason: string | undefined): string {
  if (reason === 'EADDRINUSE') return 'the address is already in use'
  if (reason === 'EACCES') return 'permission denied (ports below 1024 need privileges)'
  if (reason === 'EADDRNOTAVAIL') return 'no local interface has this address'
  return reason ?? 'unknown reason'
}

/** The HTTP listen failure of `error`, or undefined when it is something else. */
export function httpListenError(error: unknown, host: string, port: number): ListenError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (!code || !['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(code)) return undefined
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return new ListenError('http', address, code, error)
}

/**
 * libp2p refuses to start when a listen address fails (UnsupportedListenAddressesError), with
 * one line per failed address in its message: `  /ip4/…/tcp/9090: Error: listen EADDRINUSE: …`.
 */
export function p2pListenError(error: unknown): ListenError | undefined {
  if ((error as Error | undefined)?.name !== 'UnsupportedListenAddressesError') return undefined
  const failed = /^\s*(\/\S+): \w*Error: listen (\w+)/m.exec((error as Error).message)
  return new ListenError('p2p', failed?.[1] ?? 'its listen addresses', failed?.[2], error)
}

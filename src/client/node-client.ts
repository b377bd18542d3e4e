/**
 * A small HTTP client of a node's REST API, for the CLI and the oracle and trader tools.
 * It speaks only JSON over fetch, so it also runs in browsers.
 */
import { CodedError, type ErrorDetails, type PoolKind } from '../protocol/index.ts'

/** Codes of the client of a node (the catalogue's `client` area). */
export const ClientErrorCode = {
  /** The node cannot be reached in time, or answered something that is not JSON. */
  NODE_UNREACHABLE: 'NODE_UNREACHABLE',
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

/** A response: HTTP status and the decoded JSON body (problem+json for errors). */
export interface NodeResponse<T = unknown> {
  status: number
  body: T
}

/** Thrown when the node cannot be reached or answers something that is not JSON. */
export class NodeUnreachableError extends CodedError<ClientErrorCode> {
  static override name = 'NodeUnreachableError'
  override readonly name = 'NodeUnreachableError'

  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(ClientErrorCode.NODE_UNREACHABLE, message, details, options)
  }
}

export interface NodeClientInit {
  /** Base URL of the node, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** Per-request timeout. @default 10_000 */
  timeoutMs?: number
  fetch?: typeof globalThis.fetch
}

export class NodeClient {
  readonly url: string
  readonly #timeoutMs: number
  readonly #fetch: typeof globalThis.fetch

  constructor(init: NodeClientInit) {
    this.url = init.url.replace(/\/+$/, '')
    this.#timeoutMs = init.timeoutMs ?? 10_000
    // Called through a closure: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.#fetch = init.fetch ?? ((input, options) => globalThis.fetch(input, options))
  }

  /** Posts a message of `kind` (its JSON text or value); resolves with the admission outcome. */
  post(kind: PoolKind, message: unknown): Promise<NodeResponse> {
    const body = typeof message === 'string' ? message : JSON.stringify(message)
    return this.#request(`/${kind}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
  }

  /** GETs a resource path (e.g. `oracles`, `oracles/<key>`) with query parameters. */
  get(path: string, query: Record<string, string> = {}): Promise<NodeResponse> {
    const search = new URLSearchParams(query).toString()
    return this.#request(`/${path.replace(/^\/+/, '')}${search ? `?${search}` : ''}`, { method: 'GET' })
  }

  async #request(path: string, init: RequestInit): Promise<NodeResponse> {
    let response: Response
    try {
      response = await this.#fetch(`${this.url}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message
      throw new NodeUnreachableError(
        `cannot reach the node at ${this.url}: ${cause}`,
        { url: this.url },
        { cause: error },
      )
    }
    const text = await response.text()
    try {
      return { status: response.status, body: text === '' ? null : JSON.parse(text) }
    } catch {
      throw new NodeUnreachableError(`${this.url}${path} answered ${response.status} with non-JSON content`, {
        url: this.url,
        status: response.status,
      })
    }
  }
}

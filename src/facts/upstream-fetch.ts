/**
 * The `fetch` the relay calls oracles with, over node:http(s) rather than the global fetch so
 * that what leaves the node is exactly what it means to send: the method, the URL, the JSON
 * body and its `content-type` and `content-length` — no header of the trader's, no
 * `user-agent`, no forwarding header — from `localAddress` when one is configured (an egress
 * address of its own), with a cap on the response it reads.
 */
import { request as httpRequest } from 'node:http'
// The module itself, not a named export: `mega node`'s bundle loads it on first use (an idle node
// never calls an https: endpoint; see LAZY_BUILTINS in src/cli/node-bundle.ts).
import https from 'node:https'

export interface UpstreamFetchInit {
  /** Local address outgoing connections bind to. @default the system's choice */
  localAddress?: string
  /** Largest response body read; more fails the call. */
  maxResponseBytes: number
}

/** A minimal fetch (string URL, method, string body, abort signal) for the endpoint client. */
export function upstreamFetch(init: UpstreamFetchInit): typeof globalThis.fetch {
  return (input, options = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
      const body = typeof options.body === 'string' ? Buffer.from(options.body) : undefined
      const send = url.protocol === 'https:' ? https.request : httpRequest
      const request = send(
        url,
        {
          method: options.method ?? 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {},
          ...(init.localAddress !== undefined && { localAddress: init.localAddress }),
          ...(options.signal && { signal: options.signal }),
          // One connection per call: no pooled socket links two traders' requests.
          agent: false,
        },
        (response) => {
          const status = response.statusCode ?? 0
          if (status >= 300 && status < 400) {
            response.destroy()
            reject(new Error(`${url.href} redirected`))
            return
          }
          const chunks: Buffer[] = []
          let size = 0
          response.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > init.maxResponseBytes) {
              response.destroy()
              reject(new Error(`${url.href} answered more than ${init.maxResponseBytes} bytes`))
              return
            }
            chunks.push(chunk)
          })
          response.on('end', () => {
            const headers = new Headers()
            const type = response.headers['content-type']
            if (type) headers.set('content-type', type)
            resolve(new Response(Buffer.concat(chunks), { status, headers }))
          })
          response.on('error', reject)
        },
      )
      request.on('error', reject)
      request.end(body)
    })
}

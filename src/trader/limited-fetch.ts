/**
 * A `fetch` that refuses oversized response bodies: what a hostile node or oracle endpoint
 * sends is read up to a limit and no further, so it cannot exhaust the trader's memory. The
 * clients it is given to (node client, endpoint client) see a thrown error, which they report
 * as an unreachable peer with this message.
 */

/**
 * Wraps `inner` so every response body over `maxBytes` fails with
 * "<url> answered more than <maxBytes> bytes" instead of being read.
 */
export function limitedFetch(
  maxBytes: number,
  inner: typeof globalThis.fetch = globalThis.fetch,
): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init)
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new Error(`${url} answered more than ${maxBytes} bytes`)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.length
        if (size > maxBytes) {
          await response.body.cancel().catch(() => {})
          throw new Error(`${url} answered more than ${maxBytes} bytes`)
        }
        chunks.push(chunk)
      }
    }
    const nullBody = [101, 204, 205, 304].includes(response.status)
    return new Response(nullBody ? null : Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}

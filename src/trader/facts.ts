/**
 * The trader's side of oracle endpoints beyond the endpoint client: what "no fact yet" looks
 * like, how the client's errors become trader errors, and domain verification of manifests.
 */
import { EndpointError, EndpointErrorCode, fetchManifest } from '../client/index.ts'
import { type Fact, UNKNOWN_CODE } from '../protocol/index.ts'
import { EndpointRefusal, TraderError, TraderErrorCode } from './errors.ts'
import type { MessageStore } from './message-store.ts'

/** A fact the oracle does not know yet: the endpoint's status and explanation. */
export interface NotYet {
  status: number
  detail: string
}

/** Returns true for a {@link NotYet}. */
export function isNotYet(value: Fact | NotYet): value is NotYet {
  return !('kind' in value)
}

export async function endpointCall<T>(url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw endpointError(url, error)
  }
}

/** The endpoint client's errors as trader errors: unusable answers, refusals, unreachable. */
export function endpointError(url: string, error: unknown): unknown {
  if (!(error instanceof EndpointError)) {
    // The client checks the request against the capability first (protocol `checkRequest`).
    return error
  }
  const details = { url, ...error.details }
  const refusal = error.details.problemCode
  // A refusal is the oracle's own verdict (SOURCE_ANSWER_CHANGED, CAPABILITY_OFF, …): its code
  // says what happened and what to do better than any code of ours could.
  if (error.code === EndpointErrorCode.REFUSED && typeof refusal === 'string' && refusal !== UNKNOWN_CODE)
    return new EndpointRefusal(refusal, `oracle endpoint ${url}: ${error.message}`, details, { cause: error })
  const code =
    error.code === EndpointErrorCode.BAD_ANSWER
      ? TraderErrorCode.ENDPOINT_INVALID
      : TraderErrorCode.ENDPOINT_UNREACHABLE
  return new TraderError(code, `oracle endpoint ${url}: ${error.message}`, details, { cause: error })
}

/**
 * Fetches the manifest each stored oracle's ad points at (`manifestUri`), checks it against the
 * host it came from (`classifyManifest`: signed by the oracle, its ad pointing back at exactly
 * `https://<domain>/.well-known/mega-oracle.json`; any other URL is at most a foreign
 * advertiser) and stores the domain-verified ones as own, which marks the oracle
 * domain-verified. Returns each verdict.
 */
export async function verifyDomains(
  store: MessageStore,
  fetchImpl: typeof globalThis.fetch = globalThis.fetch,
): Promise<{ oracle: string; status: string; reason?: string }[]> {
  const verdicts: { oracle: string; status: string; reason?: string }[] = []
  for (const { message: ad } of store.latest('oracle')) {
    const domain = ad.manifestUri === undefined ? undefined : hostOf(ad.manifestUri)
    if (ad.manifestUri === undefined || domain === undefined) continue
    const verdict = await fetchManifest({ domain, oracle: ad.pubkey, url: ad.manifestUri }, fetchImpl)
    if (verdict.status === 'domain-verified' && verdict.manifest)
      store.put(verdict.manifest, { own: true, origin: ad.manifestUri })
    verdicts.push({
      oracle: ad.pubkey,
      status: verdict.status,
      ...(verdict.reason !== undefined && { reason: verdict.reason }),
    })
  }
  return verdicts
}

/** The lowercase host of a URL, or undefined when it does not parse. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

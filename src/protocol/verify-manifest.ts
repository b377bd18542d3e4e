/**
 * Classification of an oracle's domain manifest (design §7, protocol.md §6.9), for traders:
 * the manifest was fetched from `https://<domain>/.well-known/mega-oracle.json`; is the oracle
 * the domain's own, somebody else using the domain's name, or is the manifest broken?
 */
import { ErrorCode, fail, failAt, ok, type Result } from './errors.ts'
import { verifyMessagePow } from './message-pow.ts'
import { DOMAIN_PATTERN, type OracleManifest } from './messages/index.ts'
import { verifySignatures } from './sign.ts'
import { validateMessage } from './validate.ts'

/** Where a manifest is published on its domain. */
export const MANIFEST_PATH = '/.well-known/mega-oracle.json'

const DOMAIN = new RegExp(DOMAIN_PATTERN)

/** The one URL whose manifest can verify `domain`: `https://<domain>/.well-known/mega-oracle.json`. */
export function manifestUrlOf(domain: string): string {
  return `https://${domain}${MANIFEST_PATH}`
}

/**
 * The domain an ad's `manifestUri` may verify: the `<domain>` of a URI that is exactly
 * {@link manifestUrlOf}(`<domain>`) for a lowercase DNS name, else undefined. Compared as a
 * string, not parsed, so every implementation agrees: no userinfo, port (not even :443), other
 * path, query, fragment, upper case or trailing dot. Anything else on a host (a user's page, an
 * upload) does not speak for the host's owner.
 */
export function manifestDomainOf(uri: string | undefined): string | undefined {
  const prefix = 'https://'
  if (uri === undefined || !uri.startsWith(prefix) || !uri.endsWith(MANIFEST_PATH)) return undefined
  const domain = uri.slice(prefix.length, uri.length - MANIFEST_PATH.length)
  return DOMAIN.test(domain) ? domain : undefined
}

/**
 * - `domain-verified`: a valid manifest served by the domain it names, whose oracle ad points
 *   back at exactly that domain's manifest URL (`manifestUri` is {@link manifestUrlOf} the
 *   domain), for the oracle key the trader asked about;
 * - `foreign-advertiser`: the manifest is valid, but the link is not mutual: the ad does not
 *   point at this domain, or the oracle the trader saw is not the one the domain names;
 * - `invalid`: broken schema, signature or PoW, a capability of another oracle, or a manifest
 *   served by a domain it does not name.
 */
export type ManifestStatus = 'domain-verified' | 'foreign-advertiser' | 'invalid'

/** The verdict on a manifest, with the reason when it is not `domain-verified`. */
export interface ManifestVerdict {
  status: ManifestStatus
  /** Why it is not domain-verified (absent when it is). */
  reason?: string
  /** The schema-valid manifest (absent when it did not parse). */
  manifest?: OracleManifest
}

/** What the trader knows besides the manifest. */
export interface ManifestContext {
  /** The host the manifest was fetched from (lowercase DNS name). */
  domain: string
  /** The oracle key the trader is checking (e.g. from an ad on a node). */
  oracle?: string
}

/** Classifies a manifest (any JSON value) fetched from `context.domain`. Never throws. */
export function classifyManifest(value: unknown, context: ManifestContext): ManifestVerdict {
  const parsed = validateMessage(value, 'manifest')
  if (!parsed.ok) return { status: 'invalid', reason: parsed.error.message }
  const manifest = parsed.value
  const checked = verifyManifestProofs(manifest)
  if (!checked.ok) return { status: 'invalid', reason: checked.error.message, manifest }
  if (manifest.domain !== context.domain.toLowerCase()) {
    return {
      status: 'invalid',
      reason: `served by ${context.domain} but names the domain ${manifest.domain}`,
      manifest,
    }
  }
  if (context.oracle !== undefined && context.oracle !== manifest.oracle.pubkey) {
    return {
      status: 'foreign-advertiser',
      reason: `${manifest.domain} names the oracle ${manifest.oracle.pubkey}, not ${context.oracle}`,
      manifest,
    }
  }
  const uri = manifest.oracle.manifestUri
  if (manifestDomainOf(uri) !== manifest.domain) {
    return {
      status: 'foreign-advertiser',
      reason:
        uri === undefined
          ? 'the oracle ad has no manifestUri pointing back at the domain'
          : `the oracle ad's manifestUri ${uri} is not ${manifestUrlOf(manifest.domain)}`,
      manifest,
    }
  }
  return { status: 'domain-verified', manifest }
}

/**
 * Verifies every proof a manifest carries: its own signature by the embedded ad's key, the ad's
 * signature and PoW, and each capability's signature and PoW and that it is the ad's oracle's.
 * Fails with the first problem, `details.path` naming it.
 */
export function verifyManifestProofs(manifest: OracleManifest): Result<true> {
  // Each check runs on one message of the manifest (`at` locates it); the path of a failure
  // is that location followed by the path the check names inside the message.
  const steps: [at: string, check: () => Result<unknown>][] = [
    ['', () => verifySignatures(manifest)],
    ['/oracle', () => verifySignatures(manifest.oracle)],
    ['/oracle', () => verifyMessagePow(manifest.oracle)],
  ]
  manifest.capabilities.forEach((capability, i) => {
    const at = `/capabilities/${i}`
    steps.push([
      at,
      () =>
        capability.oracle === manifest.oracle.pubkey && capability.oracleScheme === manifest.oracle.scheme
          ? ok(true)
          : fail(ErrorCode.SIGNATURE_INVALID, 'the capability belongs to another oracle', {
              path: '/oracle',
            }),
    ])
    steps.push([at, () => verifySignatures(capability)])
    steps.push([at, () => verifyMessagePow(capability)])
  })
  for (const [at, step] of steps) {
    const result = step()
    if (!result.ok) return failAt(at, result.error)
  }
  return ok(true)
}

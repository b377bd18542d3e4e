/**
 * Writing the domain manifest (`mega oracle manifest`): the signed `OracleManifest` to publish
 * at `https://<domain>/.well-known/mega-oracle.json`. The ad must point back at the domain
 * (`manifestUri`) for traders to mark the oracle domain-verified, so the ad is re-signed with
 * that URI when it does not already carry it.
 */

import type { RootKey } from '../keys/index.ts'
import { classifyManifest, type Draft, manifestUrlOf, type OracleManifest, sign } from '../protocol/index.ts'
import { OracleError, OracleErrorCode } from './errors.ts'
import { resignAd } from './identity.ts'
import { loadState, minedAd, saveState } from './state.ts'

/** Builds, signs and self-checks the manifest; the ad gains `manifestUri` when needed. */
export async function writeManifest(dir: string, root: RootKey, domain: string): Promise<OracleManifest> {
  const state = await loadState(dir)
  minedAd(state)
  const uri = manifestUrlOf(domain)
  if (state.manifestUri !== uri || state.ad?.manifestUri !== uri) {
    state.manifestUri = uri
    resignAd(state, root)
    await saveState(dir, state)
  }
  const draft: Draft<OracleManifest> = {
    kind: 'manifest',
    domain,
    oracle: minedAd(state),
    capabilities: state.capabilities.filter((record) => !record.ad.off).map((record) => record.ad),
  }
  const manifest = sign<OracleManifest>(draft, root.secretKey)
  const verdict = classifyManifest(manifest, { domain, oracle: root.publicKey })
  if (verdict.status !== 'domain-verified') {
    throw new OracleError(OracleErrorCode.STATE_INVALID, `the manifest would not verify: ${verdict.reason}`)
  }
  return manifest
}

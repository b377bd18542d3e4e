/**
 * OracleManifest: published by an organisation at
 * `https://<domain>/.well-known/mega-oracle.json` to tie its domain to its oracle key.
 */
import Type from 'typebox'
import { OracleCapability } from './capability.ts'
import { SignatureHex, strict } from './common.ts'
import { LIMITS } from './limits.ts'
import { OracleId } from './oracle-id.ts'

/** A lowercase DNS name of at least two labels, the last alphabetic: what a manifest names. */
export const DOMAIN_PATTERN = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$'

export const OracleManifest = Type.Object(
  {
    kind: Type.Literal('manifest'),
    domain: Type.String({ pattern: DOMAIN_PATTERN, description: 'lowercase DNS name' }),
    oracle: OracleId,
    capabilities: Type.Array(OracleCapability, { maxItems: LIMITS.manifestCapabilities }),
    signature: SignatureHex,
  },
  { ...strict, $id: 'OracleManifest', description: 'Domain manifest, signed by the oracle key' },
)
export type OracleManifest = Type.Static<typeof OracleManifest>

/**
 * OracleId: the oracle's ad. Identity work is bound to the public key alone, so it survives
 * every `seqNo` update of the ad; only the oracle can sign a new ad.
 */
import Type from 'typebox'
import { Bid, Hex32, Pow, Scheme, SeqNo, SignatureHex, strict, Tags } from './common.ts'
import { LIMITS } from './limits.ts'

/** Optional link from a previous key: the old key signs the new one (key rotation). */
export const KeyLink = Type.Object(
  {
    scheme: Scheme,
    pubkey: Hex32,
    /** Signature by the previous key over `{ kind: 'key-link', from, to }` (see docs/protocol.md). */
    signature: SignatureHex,
  },
  { ...strict, $id: 'KeyLink' },
)
export type KeyLink = Type.Static<typeof KeyLink>

export const OracleId = Type.Object(
  {
    kind: Type.Literal('oracle'),
    scheme: Scheme,
    pubkey: Hex32,
    seqNo: SeqNo,
    tags: Tags,
    manifestUri: Type.Optional(Type.String({ pattern: '^https://[^\\s]+$', maxLength: LIMITS.urlLength })),
    bid: Type.Optional(Bid),
    previousKey: Type.Optional(KeyLink),
    pow: Pow,
    signature: SignatureHex,
  },
  { ...strict, $id: 'OracleId', description: 'An oracle ad, signed by the oracle key' },
)
export type OracleId = Type.Static<typeof OracleId>

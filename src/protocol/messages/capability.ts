/**
 * OracleCapability: a question the oracle answers, with its parameters, finite answers and
 * endpoint. Signed by the oracle key; facts are signed by the capability key it names, and that
 * key proves it consents to serve this oracle (`keyProof`), so no other oracle can claim it.
 */
import Type from 'typebox'
import { Hex32, HttpUrl, Param, Pow, Scheme, SeqNo, SignatureHex, strict, Tags, Value } from './common.ts'
import { LIMITS } from './limits.ts'

/** How the capability attests facts (design §7). */
export const AttestationType = Type.Union(
  [
    Type.Literal('schnorr'),
    Type.Literal('schnorr-digits'),
    Type.Literal('hashlock'),
    Type.Literal('signature'),
  ],
  {
    description:
      'schnorr: DLC-ready nonce commitment; schnorr-digits: a numeric answer, one nonce per base-2 digit; hashlock: hashed answers; signature: plain',
  },
)
export type AttestationType = Type.Static<typeof AttestationType>

export const OracleCapability = Type.Object(
  {
    kind: Type.Literal('capability'),
    oracle: Hex32,
    oracleScheme: Scheme,
    capabilityKey: Hex32,
    capabilityScheme: Scheme,
    keyProof: SignatureHex,
    attestation: AttestationType,
    question: Type.String({ minLength: 1, maxLength: LIMITS.questionLength }),
    params: Type.Array(Param, { maxItems: LIMITS.params }),
    answers: Type.Array(Value, { maxItems: LIMITS.answers, uniqueItems: true }),
    /** Numeric capabilities (`schnorr-digits`) only: the answer is an integer from 0 to 2^digits − 1. */
    digits: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.digits })),
    /** Numeric capabilities only: what one unit of the answer is (e.g. "USD/100"). */
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.unitLength })),
    endpoint: HttpUrl,
    tags: Tags,
    off: Type.Boolean({ description: 'true when the oracle has switched the capability off' }),
    seqNo: SeqNo,
    pow: Pow,
    signature: SignatureHex,
  },
  { ...strict, $id: 'OracleCapability', description: 'A capability ad, signed by the oracle key' },
)
export type OracleCapability = Type.Static<typeof OracleCapability>

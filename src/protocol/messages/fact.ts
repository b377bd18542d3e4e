/**
 * FactRequest, Commitment and Fact: what travels between a trader and an oracle endpoint,
 * and inside reports and disputes. Commitments and facts are signed by the capability key.
 */
import Type from 'typebox'
import { Hex32, ParamName, Scheme, SignatureHex, strict, UnixTime, Value } from './common.ts'
import { LIMITS } from './limits.ts'

/** A question instance: the capability and the value of each of its params. */
export const FactRequest = Type.Object(
  {
    capability: Hex32,
    args: Type.Record(ParamName, Value, { maxProperties: LIMITS.params, additionalProperties: false }),
    invoice: Type.Optional(Type.String({ maxLength: LIMITS.invoiceLength })),
  },
  { ...strict, $id: 'FactRequest' },
)
export type FactRequest = Type.Static<typeof FactRequest>

/** One hash lock: `hash = SHA-256(preimage)`; revealing `preimage` attests `answer`. */
export const HashLock = Type.Object({ answer: Value, hash: Hex32 }, { ...strict, $id: 'HashLock' })
export type HashLock = Type.Static<typeof HashLock>

/** What the commitment promises about the coming fact. */
export const CommittedAttestation = Type.Union(
  [
    Type.Object({ type: Type.Literal('schnorr'), nonce: Hex32 }, strict),
    Type.Object(
      {
        type: Type.Literal('schnorr-digits'),
        /** One nonce point R_i per base-2 digit, most significant first. */
        nonces: Type.Array(Hex32, { minItems: 1, maxItems: LIMITS.digits }),
      },
      strict,
    ),
    Type.Object(
      {
        type: Type.Literal('hashlock'),
        locks: Type.Array(HashLock, { minItems: 1, maxItems: LIMITS.answers }),
      },
      strict,
    ),
    Type.Object({ type: Type.Literal('signature') }, strict),
  ],
  { $id: 'CommittedAttestation' },
)
export type CommittedAttestation = Type.Static<typeof CommittedAttestation>

export const Commitment = Type.Object(
  {
    kind: Type.Literal('commitment'),
    scheme: Scheme,
    request: FactRequest,
    attestation: CommittedAttestation,
    deadline: UnixTime,
    terms: Type.Optional(Type.String({ maxLength: LIMITS.termsLength })),
    signature: SignatureHex,
  },
  { ...strict, $id: 'Commitment', description: 'A promise to answer a request by the deadline' },
)
export type Commitment = Type.Static<typeof Commitment>

export const Fact = Type.Object(
  {
    kind: Type.Literal('fact'),
    scheme: Scheme,
    request: FactRequest,
    answer: Value,
    /** Hash-lock attestation: the preimage committed for `answer`. */
    preimage: Type.Optional(Hex32),
    /** Numeric attestation: one BIP340 signature per digit, most significant first, each with its committed nonce. */
    digitSignatures: Type.Optional(Type.Array(SignatureHex, { minItems: 1, maxItems: LIMITS.digits })),
    signature: SignatureHex,
  },
  { ...strict, $id: 'Fact', description: 'A signed answer to one request' },
)
export type Fact = Type.Static<typeof Fact>

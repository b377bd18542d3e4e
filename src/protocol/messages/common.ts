/**
 * Building blocks shared by the message schemas: hex values, keys, PoW, params, bids.
 * Each schema is JSON Schema (TypeBox) and its TypeScript type comes from it.
 */
import Type from 'typebox'
import { LIMITS } from './limits.ts'

/** Options every object schema gets: unknown properties are refused, not ignored. */
export const strict = { additionalProperties: false } as const

/** 32 bytes as 64 lowercase hex digits: public keys, message ids, hashes. */
export const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$', description: '32 bytes, lowercase hex' })

/** 64-byte signature as 128 lowercase hex digits (ed25519 `R‖S`, BIP340 `r‖s`). */
export const SignatureHex = Type.String({
  pattern: '^[0-9a-f]{128}$',
  description: '64 bytes, lowercase hex',
})

/** Name of a signature scheme. */
export const Scheme = Type.Union([Type.Literal('ed25519'), Type.Literal('bip340')], {
  description: 'signature scheme of the key',
})
export type Scheme = Type.Static<typeof Scheme>

/** Non-negative integer that JSON carries exactly (below 2^53). */
export const SafeInteger = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

/** Sequence number of an updatable entry: a higher number replaces a lower one. */
export const SeqNo = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'update counter',
})

/** Seconds since the Unix epoch. */
export const UnixTime = Type.Integer({ minimum: 0, maximum: 2 ** 40, description: 'Unix time, seconds' })

/** A lowercase tag for discovery: `sports`, `weather-eu`. */
export const Tag = Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: LIMITS.tagLength })

/** Tags of an ad, at most {@link LIMITS.tags}, no repeats. */
export const Tags = Type.Array(Tag, { maxItems: LIMITS.tags, uniqueItems: true })

/** An http(s) URL. */
export const HttpUrl = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: LIMITS.urlLength })

/** Free text for people (comments). */
export const Text = Type.String({ maxLength: LIMITS.textLength })

/** A parameter or answer value. */
export const Value = Type.String({ minLength: 1, maxLength: LIMITS.valueLength })

/** Name of a capability parameter, usable as `$name` in the question. */
export const ParamName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,31}$' })

/**
 * Proof of work: `hash = SHA-256(SHA-256(bound) ‖ nonce)`, `nonce` 8 bytes big-endian,
 * valid when `hash` has at least `bits` leading zero bits. Work = 2^bits.
 */
export const Pow = Type.Object(
  {
    bits: Type.Integer({ minimum: 0, maximum: 256 }),
    nonce: Type.String({ pattern: '^[0-9a-f]{16}$', description: '8 bytes big-endian, lowercase hex' }),
    hash: Hex32,
  },
  { ...strict, $id: 'Pow' },
)
export type Pow = Type.Static<typeof Pow>

/** A capability parameter: its name and the values a request may give it. */
export const Param = Type.Object(
  {
    name: ParamName,
    values: Type.Array(Value, { minItems: 1, maxItems: LIMITS.paramValues, uniqueItems: true }),
  },
  { ...strict, $id: 'Param' },
)
export type Param = Type.Static<typeof Param>

/**
 * A paid placement offered to nodes (e.g. a Lightning payment proof). Nodes count it only
 * when their configured verifier accepts `proof`; otherwise it counts as 0.
 */
export const Bid = Type.Object(
  {
    amount: SafeInteger,
    paymentType: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'e.g. `lightning`' }),
    proof: Type.String({ maxLength: LIMITS.bidProofLength }),
  },
  { ...strict, $id: 'Bid' },
)
export type Bid = Type.Static<typeof Bid>

/** A public key with its scheme: who signs. */
export const PublicKey = Type.Object({ scheme: Scheme, pubkey: Hex32 }, { ...strict, $id: 'PublicKey' })
export type PublicKey = Type.Static<typeof PublicKey>

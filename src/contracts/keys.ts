/**
 * The funding key of a contract, derived from the trader key so a backup of the trader key
 * restores every contract's key, and nothing else has to be kept secret:
 *
 *   secret = HKDF-SHA256(ikm = trader secret (32 bytes), salt = "MEGA/contract/funding-key/v1",
 *                        info = offer key (32) ‖ proposal nonce (32) ‖ role (UTF-8) ‖ 0x00 ‖ counter)
 *
 * with the first counter (0, 1, …) whose output is a valid secp256k1 scalar. Different offers,
 * proposals or roles give unrelated keys; the key is never the trader key itself.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToBigInt, concatBytes, fromHex, hkdfSha256, SECP256K1_ORDER, utf8 } from '../protocol/index.ts'

const FUNDING_KEY_SALT = 'MEGA/contract/funding-key/v1'

/** A contract side. */
export type Role = 'originator' | 'acceptor'

/** A secp256k1 key pair: 32-byte secret, 33-byte compressed public key. */
export interface FundingKey {
  secret: Uint8Array
  pubkey: Uint8Array
}

/** The funding key of `role` in the proposal `nonce` on the offer `offerKey`. */
export function fundingKey(traderSecretHex: string, offerKey: string, nonce: string, role: Role): FundingKey {
  const ikm = fromHex(traderSecretHex, 32, 'trader secret')
  for (let counter = 0; counter < 256; counter++) {
    const info = concatBytes(fromHex(offerKey, 32), fromHex(nonce, 32), utf8(role), Uint8Array.of(0, counter))
    const secret = hkdfSha256(ikm, utf8(FUNDING_KEY_SALT), info, 32)
    const scalar = bytesToBigInt(secret)
    if (scalar > 0n && scalar < SECP256K1_ORDER)
      return { secret, pubkey: secp256k1.getPublicKey(secret, true) }
  }
  throw new Error('no funding key derived') // probability 2^-32768
}

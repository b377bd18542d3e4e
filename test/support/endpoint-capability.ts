/** A Schnorr capability of the fixture oracle, its key derived from the oracle's, for the endpoint tests. */
import { deriveCapabilitySecret } from '../../src/protocol/oracle-attestation.ts'
import { publicKeyOf } from '../../src/protocol/signature.ts'
import * as fx from './messages.ts'

export const secretKey = deriveCapabilitySecret(fx.ORACLE.secretKey, 'slow', 'bip340')
export const key = { scheme: 'bip340' as const, secretKey, publicKey: publicKeyOf('bip340', secretKey) }
export const ad = fx.capabilityAd({ attestation: 'schnorr' }, fx.ORACLE, key)

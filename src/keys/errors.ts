/**
 * Coded errors of the keystore and the passphrase input. Their codes belong to the oracle
 * toolkit's namespace (the catalogue's `oracle` area), which the trader's keys reuse.
 */
import { CodedError } from '../protocol/index.ts'

export const KeyErrorCode = {
  /** `init` would overwrite an existing keystore. */
  KEYSTORE_EXISTS: 'KEYSTORE_EXISTS',
  /** No keystore at the path: run `init` first. */
  KEYSTORE_MISSING: 'KEYSTORE_MISSING',
  /** The keystore file is not a keystore (bad JSON, fields, version) or was tampered with. */
  KEYSTORE_CORRUPT: 'KEYSTORE_CORRUPT',
  /** The passphrase does not open the keystore. */
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  /** No passphrase given and no terminal to ask on, or an empty one. */
  PASSPHRASE_MISSING: 'PASSPHRASE_MISSING',
} as const
export type KeyErrorCode = (typeof KeyErrorCode)[keyof typeof KeyErrorCode]

/** The error of the keystore and the passphrase input. */
export class KeyError extends CodedError<KeyErrorCode> {
  static override name = 'KeyError'
  override readonly name = 'KeyError'
}

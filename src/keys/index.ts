/**
 * Keys at rest, for the oracle and the trader toolkits alike: the encrypted keystore (scrypt +
 * AES-256-GCM) and where its passphrase comes from (a file, the environment, a prompt). Node
 * only; depends on the protocol core alone.
 *
 * @packageDocumentation
 */
export { KeyError, KeyErrorCode } from './errors.ts'
export * from './keystore.ts'
export * from './passphrase.ts'

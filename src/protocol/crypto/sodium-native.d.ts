/** The part of `sodium-native` (libsodium bindings, no bundled types) this project uses. */
declare module 'sodium-native' {
  /** Fills `publicKey` (32 bytes) and `secretKey` (64 bytes: seed ‖ public key) from a 32-byte seed. */
  function crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void
  /** Writes the 64-byte signature of `message` by `secretKey` (64 bytes) into `signature`. */
  function crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void
  /** True only for a valid signature; refuses small-order keys and R. */
  function crypto_sign_verify_detached(
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ): boolean
  const sodium: {
    crypto_sign_seed_keypair: typeof crypto_sign_seed_keypair
    crypto_sign_detached: typeof crypto_sign_detached
    crypto_sign_verify_detached: typeof crypto_sign_verify_detached
  }
  export default sodium
}

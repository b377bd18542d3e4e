import type { Message } from '../protocol/index.ts'

/**
 * What a signature thread checked of a message: its id, which hashes everything but the
 * top-level `signature` and `pow` (so nested signatures too), and that signature ('' if none).
 */
export type VerifiedKey = readonly [id: string, signature: string]

/**
 * Messages whose signatures were already checked elsewhere (signature threads during a sync),
 * so admission does not check them again. Each is known by its {@link VerifiedKey}: exactly
 * what was checked. (The PoW is checked at admission anyway.)
 *
 * Bounded: the oldest key goes first, and admission takes a key out when it uses it. A key
 * that falls out only costs a second check.
 *
 * Kept by id, with the signature as the value: admission asks on every message, and a lookup
 * by the id (64 characters) is cheaper than building and hashing id and signature joined
 * (193). An id seldom comes with a second signature; that pair goes under {@link extraKey}, in
 * the same map, so the order of eviction is that of the keys added, as with a set of pairs.
 */
export class VerifiedIds {
  readonly max: number
  readonly #ids = new Map<string, string>()
  /** How many pairs are kept under their {@link extraKey}. */
  #extra = 0

  constructor(max = 65_536) {
    this.max = max
  }

  get size(): number {
    return this.#ids.size
  }

  add([id, signature]: VerifiedKey): void {
    const held = this.#ids.get(id)
    if (held === signature) return
    let key = id
    if (held !== undefined || this.#extra > 0) {
      const extra = extraKey(id, signature)
      if (this.#ids.has(extra)) return
      if (held !== undefined) key = extra
    }
    if (this.#ids.size >= this.max) this.#evictOldest()
    this.#ids.set(key, signature)
    if (key !== id) this.#extra++
  }

  /** True once per added key: the caller may skip checking the message's signatures. */
  take(id: string, signature: string): boolean {
    if (this.#ids.get(id) === signature) return this.#ids.delete(id)
    if (this.#extra === 0 || !this.#ids.delete(extraKey(id, signature))) return false
    this.#extra--
    return true
  }

  #evictOldest(): void {
    const oldest = this.#ids.keys().next().value!
    this.#ids.delete(oldest)
    if (isExtraKey(oldest)) this.#extra--
  }
}

/** The key of a message (with id `id`) in {@link VerifiedIds}. */
export function verifiedKey(id: string, message: Message): VerifiedKey {
  return [id, verifiedSignature(message)]
}

/** The signature half of a message's {@link VerifiedKey}: its top-level signature, '' if none. */
export function verifiedSignature(message: Message): string {
  return (message as { signature?: string }).signature ?? ''
}

/** Where a second signature of an id is kept: no id (hex) starts with '/'. */
function extraKey(id: string, signature: string): string {
  return `/${id}/${signature}`
}

function isExtraKey(key: string): boolean {
  return key.charCodeAt(0) === 47
}

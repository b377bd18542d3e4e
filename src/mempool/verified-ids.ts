import type { Message } from '../protocol/index.ts'

/**
 * Messages whose signatures were already checked elsewhere (signature threads during a sync),
 * so admission does not check them again. Each is known by {@link verifiedKey}: its id, which
 * hashes everything but the top-level `signature` and `pow` (so nested signatures too), and
 * that signature — exactly what was checked. (The PoW is checked at admission anyway.)
 *
 * Bounded: the oldest key goes first, and admission takes a key out when it uses it. A key
 * that falls out only costs a second check.
 */
export class VerifiedIds {
  readonly max: number
  readonly #ids = new Set<string>()

  constructor(max = 65_536) {
    this.max = max
  }

  get size(): number {
    return this.#ids.size
  }

  add(key: string): void {
    if (this.#ids.has(key)) return
    if (this.#ids.size >= this.max) this.#ids.delete(this.#ids.values().next().value!)
    this.#ids.add(key)
  }

  /** True once per added key: the caller may skip checking the message's signatures. */
  take(key: string): boolean {
    return this.#ids.delete(key)
  }
}

/** The key of a message (with id `id`) in {@link VerifiedIds}. */
export function verifiedKey(id: string, message: Message): string {
  return `${id}/${(message as { signature?: string }).signature ?? ''}`
}

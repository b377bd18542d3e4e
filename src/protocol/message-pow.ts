/**
 * Proof of work of whole messages: mine and verify against the bytes each kind binds its
 * work to (see `powBound` in message.ts).
 */
import { ErrorCode, fail, ProtocolError, type Result } from './errors.ts'
import { powBound, powBoundInput } from './message.ts'
import type { Message, Pow } from './messages/index.ts'
import { mineSync, type PowBound, verifyPow } from './pow.ts'

/** Messages that carry a PoW. */
export type PowMessage = Extract<Message, { pow: Pow }>

/** Returns true for messages of a kind that carries PoW. */
export function hasPow(message: Message): message is PowMessage {
  return powBound(message) !== undefined
}

/** The bytes `message`'s PoW must be bound to. Throws `POW_MISSING` for kinds without PoW. */
export function powBoundOf(message: Message): Uint8Array {
  const bound = powBound(message)
  if (!bound) throw new ProtocolError(ErrorCode.POW_MISSING, `a ${message.kind} carries no proof of work`)
  return bound
}

/**
 * Verifies the PoW of `message` (bound, hash, claimed bits, at least `minBits`).
 * Fails with `POW_MISSING`, `POW_INVALID`, `POW_BITS_OVERSTATED` or `POW_TOO_WEAK`. A caller
 * that serialized the message already passes the text of its bound (`canonicalTexts`), or its
 * hash when it has that too.
 */
export function verifyMessagePow(
  message: Message,
  minBits = 0,
  bound: PowBound | undefined = powBoundInput(message),
): Result<{ bits: number; work: bigint }> {
  const pow = (message as { pow?: Pow }).pow
  if (!bound || !pow) return fail(ErrorCode.POW_MISSING, `a ${message.kind} must carry a proof of work`)
  return verifyPow(bound, pow, minBits)
}

/**
 * Mines `bits` of PoW for `message` on the calling thread and returns it with `pow` set.
 * Blocks the thread: for tests, examples and small bit counts; use the multi-core miner
 * (`src/miner/`) for real identities.
 */
export function mineMessageSync<M extends PowMessage>(
  message: Omit<M, 'pow'> & { pow?: Pow },
  bits: number,
): M {
  const pow = mineSync(powBoundOf(message as M), bits)
  if (!pow) throw new RangeError('nonce space exhausted') // 2^64 trials: unreachable in practice
  return { ...message, pow } as M
}

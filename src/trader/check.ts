/**
 * Checks a message that came from outside (a node, an oracle endpoint, a file) before the
 * trader uses or stores it: schema, intrinsic rules, every signature it carries and its work.
 */
import { verifyMessagePow } from '../protocol/message-pow.ts'
import type { MessageByKind, MessageKind } from '../protocol/messages/index.ts'
import { checkMessageRules } from '../protocol/rules.ts'
import { verifySignatures } from '../protocol/sign.ts'
import { validateMessage } from '../protocol/validate.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

/**
 * Returns `value` as a message of `kind` when it is one in every respect, else throws
 * `MESSAGE_INVALID` (or `code`) saying which rule fails, where, and from `source`.
 */
export function checkMessage<K extends MessageKind>(
  value: unknown,
  kind: K,
  source: string,
  code: TraderErrorCode = TraderErrorCode.MESSAGE_INVALID,
): MessageByKind[K] {
  const checks = [
    () => validateMessage(value, kind),
    () => checkMessageRules(value as MessageByKind[K]),
    () => verifySignatures(value as MessageByKind[K]),
    () => (hasPow(kind) ? verifyMessagePow(value as MessageByKind[K]) : { ok: true as const, value: true }),
  ]
  for (const check of checks) {
    const result = check()
    if (!result.ok) {
      throw new TraderError(code, `${source}: ${kind} ${result.error.message} [${result.error.code}]`, {
        source,
        kind,
        path: result.error.details.path,
        protocolCode: result.error.code,
      })
    }
  }
  return value as MessageByKind[K]
}

function hasPow(kind: MessageKind): boolean {
  return kind === 'oracle' || kind === 'capability' || kind === 'report' || kind === 'offer'
}

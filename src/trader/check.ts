/**
 * Checks a message that came from outside (a node, an oracle endpoint, a file) before the
 * trader uses or stores it: schema, intrinsic rules, every signature it carries and its work.
 */
import {
  checkMessageRules,
  type MessageByKind,
  type MessageKind,
  POW_KINDS,
  validateMessage,
  verifyMessagePow,
  verifySignatures,
} from '../protocol/index.ts'
import { TraderError, TraderErrorCode } from './errors.ts'

/**
 * Returns `value` as a message of `kind` when it is one in every respect, else throws
 * `MESSAGE_INVALID` saying which rule fails, where, and from `source`.
 */
export function checkMessage<K extends MessageKind>(
  value: unknown,
  kind: K,
  source: string,
): MessageByKind[K] {
  const checks = [
    () => validateMessage(value, kind),
    () => checkMessageRules(value as MessageByKind[K]),
    () => verifySignatures(value as MessageByKind[K]),
    () =>
      POW_KINDS.includes(kind)
        ? verifyMessagePow(value as MessageByKind[K])
        : { ok: true as const, value: true },
  ]
  for (const check of checks) {
    const result = check()
    if (!result.ok) {
      throw new TraderError(
        TraderErrorCode.MESSAGE_INVALID,
        `${source}: ${kind} ${result.error.message} [${result.error.code}]`,
        {
          source,
          kind,
          path: result.error.details.path,
          protocolCode: result.error.code,
        },
      )
    }
  }
  return value as MessageByKind[K]
}

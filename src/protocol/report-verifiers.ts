/**
 * Verifiers of report evidence (design §8). `fact-conflict` and `ad-collision` are fully
 * machine-checkable; `fact-missing` is checkable up to "no fact shown yet" and is cancelled
 * by a dispute; `fact-disagrees-with-public` and `free-form` are subjective (the quoted fact is
 * still checked to be signed by a capability of the reported oracle, so nobody can pin on an
 * oracle a fact it never signed). Each kind's spec (report-kinds.ts) names its verifier here;
 * `verifyReportEvidence` and `evidenceClass` (verify-report.ts) dispatch through the specs, so
 * the imports run one way: verify-report → report-kinds → report-verifiers.
 */

import { canonicalize } from './canonical.ts'
import { ErrorCode, fail, failAt, ok, type Result } from './errors.ts'
import { messageId } from './message.ts'
import type {
  AdCollision,
  Fact,
  FactDisagreesWithPublic,
  FactMissing,
  FactRequest,
  Message,
  OracleCapability,
} from './messages/index.ts'
import { checkAnswer } from './oracle-attestation.ts'
import { verifySignatures } from './sign.ts'

/** How a report's evidence stands: proven by signatures, or for people to judge. */
export type EvidenceVerdict = 'verified' | 'subjective'

/**
 * The clock skew nodes tolerate by default, seconds (docs/protocol.md §7): a party that files a
 * `fact-missing` report waits this long past the deadline, or nodes with the default refuse it.
 */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300

/** Context of a verification: the clock is passed in so the core stays pure. */
export interface EvidenceContext {
  /** Current Unix time in seconds. */
  now: number
  /**
   * Clock skew tolerated, seconds, in favour of the accused: a `fact-missing` report holds only
   * once the deadline has passed on every clock within it (`now − tolerance > deadline`).
   * @default 0
   */
  toleranceSeconds?: number
}

/** Both facts of a conflict signed for the one capability: the oracle contradicted itself. */
export function isEquivocation(capability: OracleCapability, facts: readonly [Fact, Fact]): boolean {
  return facts[1].request.capability === capability.capabilityKey
}

/**
 * A `fact-missing` report holds when the capability is the oracle's, the commitment is signed
 * by its key, and the deadline has passed on every clock within the tolerated skew.
 */
export function verifyFactMissing(
  oracle: string,
  content: FactMissing,
  context: EvidenceContext,
): Result<EvidenceVerdict> {
  const capability = verifyCapabilityOf(oracle, content.capability, '/content/capability')
  if (!capability.ok) return capability
  const { commitment } = content
  if (commitment.request.capability !== content.capability.capabilityKey) {
    return invalid('/content/commitment/request/capability', 'the commitment is not for this capability')
  }
  if (commitment.scheme !== content.capability.capabilityScheme) {
    return invalid(
      '/content/commitment/scheme',
      `the capability signs with ${content.capability.capabilityScheme}`,
    )
  }
  const signed = signaturesAt(commitment, '/content/commitment')
  if (!signed.ok) return signed
  const tolerance = context.toleranceSeconds ?? 0
  if (context.now - tolerance <= commitment.deadline) {
    // Judged by the receiver's clock, so no fault of a sender: gossip ignores it.
    return invalid(
      '/content/commitment/deadline',
      tolerance > 0
        ? `the deadline ${commitment.deadline} has not passed by more than ${tolerance} s yet`
        : `the deadline ${commitment.deadline} has not passed yet`,
      'ignore',
    )
  }
  return ok('verified')
}

/** Two different ads of the oracle (or of one of its capabilities) with the same `seqNo`. */
export function verifyAdCollision(oracle: string, content: AdCollision): Result<EvidenceVerdict> {
  const [first, second] = content.ads
  for (const [index, ad] of content.ads.entries()) {
    const owner = ad.kind === 'oracle' ? ad.pubkey : ad.oracle
    if (owner !== oracle) return invalid(`/content/ads/${index}`, 'the ad is not by the reported oracle')
    const signed = signaturesAt(ad, `/content/ads/${index}`)
    if (!signed.ok) return signed
  }
  if (
    first.kind === 'capability' &&
    second.kind === 'capability' &&
    first.capabilityKey !== second.capabilityKey
  ) {
    return invalid('/content/ads', 'the two capability ads are for different capability keys')
  }
  if (first.seqNo !== second.seqNo) return invalid('/content/ads', 'the two ads have different seqNo')
  if (messageId(first) === messageId(second)) return invalid('/content/ads', 'the two ads are the same ad')
  return ok('verified')
}

/**
 * A fact said to contradict public knowledge: subjective, but the capability ad ties the fact to
 * the accused, since a fact of anyone else proves nothing.
 */
export function verifyFactDisagreesWithPublic(
  oracle: string,
  content: FactDisagreesWithPublic,
): Result<EvidenceVerdict> {
  const capability = verifyCapabilityOf(oracle, content.capability, '/content/capability')
  if (!capability.ok) return capability
  const fact = verifyFactOf(content.capability, content.fact, '/content/fact')
  if (!fact.ok) return fact
  return ok('subjective')
}

/**
 * Two facts for the same request with different answers.
 * - Both by the capability key of `capability` (an ad signed by `oracle`): equivocation, `verified`.
 * - The second by another oracle's capability (`counterCapability`) whose question, instantiated
 *   with the same arguments, reads the same: a disagreement between oracles, `subjective`.
 */
export function verifyFactConflict(
  oracle: string,
  capability: OracleCapability,
  facts: readonly [Fact, Fact],
  counterCapability?: OracleCapability,
): Result<EvidenceVerdict> {
  const owned = verifyCapabilityOf(oracle, capability, '/content/capability')
  if (!owned.ok) return owned
  const [first, second] = facts
  const firstOk = verifyFactOf(capability, first, '/content/facts/0')
  if (!firstOk.ok) return firstOk
  if (first.answer === second.answer) return invalid('/content/facts', 'the two facts give the same answer')
  if (!checkAnswer(capability, first.answer).ok) {
    return invalid('/content/facts/0/answer', 'the answer is not one of the capability’s answers')
  }
  if (isEquivocation(capability, facts)) {
    const secondOk = verifyFactOf(capability, second, '/content/facts/1')
    if (!secondOk.ok) return secondOk
    if (!checkAnswer(capability, second.answer).ok) {
      return invalid('/content/facts/1/answer', 'the answer is not one of the capability’s answers')
    }
    if (requestKey(first.request) !== requestKey(second.request)) {
      return invalid('/content/facts', 'the two facts answer different requests')
    }
    return ok('verified')
  }
  if (!counterCapability) {
    return invalid('/content/counterCapability', 'a fact from another capability needs that capability ad')
  }
  if (counterCapability.oracle === oracle) {
    return invalid('/content/counterCapability/oracle', 'a disagreement needs another oracle’s capability')
  }
  const counter = signaturesAt(counterCapability, '/content/counterCapability')
  if (!counter.ok) return counter
  const secondOk = verifyFactOf(counterCapability, second, '/content/facts/1')
  if (!secondOk.ok) return secondOk
  if (
    instantiateQuestion(capability, first.request) !== instantiateQuestion(counterCapability, second.request)
  ) {
    return invalid('/content/facts', 'the two facts answer different questions')
  }
  return ok('subjective')
}

/** Key of a request for comparison: capability and arguments (an invoice does not change the question). */
export function requestKey(request: FactRequest): string {
  return canonicalize({ capability: request.capability, args: request.args })
}

/** The capability's question with each `$param` replaced by the request's argument. */
export function instantiateQuestion(capability: OracleCapability, request: FactRequest): string {
  // Longest names first, so `$team` does not eat the start of `$teamB`.
  const names = capability.params.map((param) => param.name).sort((a, b) => b.length - a.length)
  let question = capability.question
  for (const name of names) question = question.replaceAll(`$${name}`, request.args[name] ?? `$${name}`)
  return question
}

/** The capability ad is the reported oracle's and validly signed. */
export function verifyCapabilityOf(
  oracle: string,
  capability: OracleCapability,
  path: string,
): Result<EvidenceVerdict> {
  if (capability.oracle !== oracle)
    return invalid(`${path}/oracle`, 'the capability is not the reported oracle’s')
  return signaturesAt(capability, path)
}

/** The fact is signed by the capability's key, in its scheme. */
export function verifyFactOf(
  capability: OracleCapability,
  fact: Fact,
  path: string,
): Result<EvidenceVerdict> {
  if (fact.request.capability !== capability.capabilityKey) {
    return invalid(`${path}/request/capability`, 'the fact is not signed for this capability')
  }
  if (fact.scheme !== capability.capabilityScheme) {
    return invalid(`${path}/scheme`, `the capability signs with ${capability.capabilityScheme}`)
  }
  return signaturesAt(fact, path)
}

/**
 * Every signature of an embedded message (for a capability, the oracle's and the key proof),
 * failing as `EVIDENCE_INVALID` at `at` followed by the path of the signature at fault.
 */
export function signaturesAt(message: Message, at: string): Result<EvidenceVerdict> {
  const signed = verifySignatures(message)
  return signed.ok ? ok('verified') : failAt(at, signed.error, ErrorCode.EVIDENCE_INVALID, '/signature')
}

function invalid(path: string, reason: string, gossip?: 'ignore'): Result<never> {
  return fail(ErrorCode.EVIDENCE_INVALID, `${path}: ${reason}`, { path, ...(gossip && { gossip }) })
}

/**
 * Admission rules per kind (design §5), each in the order: PoW and minimum bits → rank →
 * signature → semantics. Lodestar-style, every check quotes the rule it enforces.
 *
 * Each rule is a decision: it reads the pools (a {@link PoolView}) and the validated message
 * and returns the outcome with, when the message is taken, the entry to insert. It changes
 * nothing; the mempool applies the insert (with its evictions and the byte budget).
 */
import {
  curveCapabilityProblem,
  type Dispute,
  ErrorCode,
  evidenceClass,
  type Message,
  maxBytesOf,
  messageId,
  type Offer,
  type OracleCapability,
  type OracleId,
  offerKey,
  ok,
  primeSigningBytes,
  type Report,
  type Result,
  specOf,
  verifyDispute,
  verifyMessagePow,
  verifyReportEvidence,
  verifySignatures,
  workOf,
} from '../protocol/index.ts'
import { type Admission, MempoolErrorCode as Code, invalid, lowPow, reasonOf } from './admission.ts'
import { commitmentOf, wouldCount } from './commitments.ts'
import type { CapabilityEntry, EntryInput, OracleEntry } from './entries.ts'
import type { PoolMessage, PoolView } from './pool-view.ts'
import { oracleRank, reportRank, workRank } from './ranks.ts'
import { verifiedSignature } from './verified-ids.ts'

/** What every rule gets: the pools, the message's id and size, the time. */
export interface AdmitContext {
  pool: PoolView
  id: string
  bytes: number
  /** `JCS(m)` without proofs, which the id hashes (and all kinds but offers sign). */
  canonical: string
  /** The text of the message's signed body, from the same serialization. */
  signed: string
  /** The text its PoW is bound to, when made of its members (see `canonicalTexts`). */
  powBound: string | undefined
  now: number
}

/** A rule's answer: the outcome, and the entry to insert when the message is taken. */
export interface Decision {
  admission: Admission
  insert?: EntryInput
  /**
   * The held entry the insert hangs on, as the rule found it (a capability's or report's
   * oracle, an offer's capability): the mempool inserts under it without a second lookup.
   */
  parent?: OracleEntry | CapabilityEntry
}

/**
 * Verifies a message's PoW against the kind's minimum; returns bits or a failed admission.
 * `boundHash` is the SHA-256 (hex) of the bound when the rule has it already: a report's bound
 * is what its id hashes, an offer's what its key hashes.
 */
function verifyWork(
  context: AdmitContext,
  message: Message & { kind: keyof PoolView['options']['minBits'] },
  boundHash?: string,
): { bits: number } | Admission {
  const bound = boundHash === undefined ? context.powBound : { sha256Hex: boundHash }
  const checked = verifyMessagePow(message, context.pool.options.minBits[message.kind], bound)
  return checked.ok ? { bits: checked.value.bits } : { status: 'invalid', reason: reasonOf(checked.error) }
}

type Updatable = { seqNo: number }

/**
 * An update (higher seqNo) must carry at least the held work. Refused before the signature is
 * checked, like any message too weak to enter: the answer says nothing about what is held.
 */
function weakerUpdate(
  held: { bits: number } & Updatable,
  incoming: Updatable,
  id: string,
  bits: number,
): Admission | undefined {
  if (incoming.seqNo <= held.seqNo || bits >= held.bits) return undefined
  return {
    status: 'low-pow',
    id,
    requiredBits: held.bits,
    reason: { code: Code.LOW_POW, message: `an update needs at least the held ${held.bits} bits` },
  }
}

/**
 * The seqNo rule shared by ads and offers, once the message is verified: older is stale; the
 * same seqNo is a duplicate of the same content unless it carries more work, a conflict when
 * the content differs; newer replaces (its work was checked by {@link weakerUpdate}).
 */
function compareVersions(
  held: { id: string; bits: number } & Updatable,
  incoming: Updatable,
  id: string,
  bits: number,
): Admission | 'replace' {
  if (incoming.seqNo < held.seqNo) {
    return invalid(
      Code.STALE_SEQNO,
      `/seqNo ${incoming.seqNo} is older than the held ${held.seqNo}`,
      '/seqNo',
      id,
    )
  }
  if (incoming.seqNo === held.seqNo) {
    if (id !== held.id) {
      return invalid(
        Code.SEQNO_CONFLICT,
        `/seqNo ${incoming.seqNo} is already held with other content`,
        '/seqNo',
        id,
      )
    }
    return bits > held.bits ? 'replace' : { status: 'duplicate', id }
  }
  return 'replace'
}

/**
 * The message's signatures, unless this exact message (its id) was already checked by a
 * signature thread (`Mempool.verified`, filled during a sync).
 */
function checkSignatures(context: AdmitContext, message: Message): Result<true> {
  const { pool, id } = context
  if (pool.verified.size > 0 && pool.verified.take(id, verifiedSignature(message))) return ok(true)
  primeSigningBytes(message, context.signed)
  return verifySignatures(message)
}

/**
 * The cheapest rejection: this very message is held (same id, same signature) with at least
 * the claimed work. Decided before checking the PoW, since a claim no higher than what is held
 * cannot be news either way; the held signature was verified, so an equal one needs no check.
 * Any other copy (a signature byte changed, say) is verified before the pool answers.
 */
function isHeldDuplicate(
  held: { id: string; bits: number; hasSignature(signature: unknown): boolean } | undefined,
  id: string,
  message: Message & { pow: { bits: number } },
): boolean {
  return (
    held !== undefined &&
    held.id === id &&
    message.pow.bits <= held.bits &&
    held.hasSignature((message as { signature?: unknown }).signature)
  )
}

/**
 * [REJECT] a message's canonical form, `JCS(m)` with its proofs, fits the message limit: the
 * bytes a node publishes, so what one node admits every peer can take (docs/protocol.md §9).
 * Checked once the PoW holds, before the signatures.
 */
function tooLarge(context: AdmitContext, kind: Admission['kind']): Admission | undefined {
  const limit = maxBytesOf(kind)
  if (context.bytes <= limit) return undefined
  return {
    status: 'invalid',
    kind,
    id: context.id,
    reason: {
      code: ErrorCode.TOO_LARGE,
      message: `the message's canonical form has ${context.bytes} bytes, more than ${limit}`,
    },
  }
}

/** An outcome that takes nothing. */
function refuse(admission: Admission): Decision {
  return { admission }
}

function admitOracle(context: AdmitContext, ad: OracleId): Decision {
  const { pool, now } = context
  const held = pool.oracles.get(ad.pubkey)
  const bid = pool.bidOf(ad)
  if (!held && ad.pow.bits >= pool.options.minBits.oracle) {
    // Rank first, on the claimed bits: a claim too weak to enter is refused whether or not the
    // work is real, so a flood of weak ads costs one tree lookup each, not two hashes.
    const check = pool.oracles.check(oracleRank({ bid, strength: workOf(ad.pow.bits), key: ad.pubkey }), now)
    if (!check.fits) return refuse(lowPow(check, 'oracle'))
  }
  if (held && isHeldDuplicate(held, context.id, ad))
    return refuse({ status: 'duplicate', kind: 'oracle', id: held.id })
  const work = verifyWork(context, ad)
  if (!('bits' in work)) return refuse({ ...work, kind: 'oracle' })
  const { id, bytes } = context
  const weaker = held && weakerUpdate(held, ad, id, work.bits)
  if (weaker) return refuse({ ...weaker, kind: 'oracle' })
  const large = tooLarge(context, 'oracle')
  if (large) return refuse(large)
  // [REJECT] the ad is signed by its key (and a previous key links to it)
  const signed = checkSignatures(context, ad)
  if (!signed.ok) return refuse({ status: 'invalid', kind: 'oracle', id, reason: reasonOf(signed.error) })
  if (held) {
    const verdict = compareVersions(held, ad, id, work.bits)
    if (verdict !== 'replace') return refuse({ ...verdict, kind: 'oracle' })
  }
  return {
    admission: { status: held ? 'updated' : 'added', kind: 'oracle', id },
    insert: {
      kind: 'oracle',
      key: ad.pubkey,
      id,
      message: ad,
      canonical: context.canonical,
      bytes,
      bits: work.bits,
      work: workOf(work.bits),
      receivedAt: held?.receivedAt ?? now,
      bid,
    },
  }
}

function admitCapability(context: AdmitContext, capability: OracleCapability): Decision {
  const { pool, id, bytes, now } = context
  // [REJECT] a capability belongs to an oracle this node holds (orphans wait at the network layer)
  const oracle = pool.oracles.get(capability.oracle)
  if (!oracle)
    return refuse(invalid(Code.UNKNOWN_ORACLE, '/oracle is not an oracle this node holds', '/oracle', id))
  if (capability.oracleScheme !== oracle.scheme) {
    return refuse(
      invalid(
        Code.SCHEME_MISMATCH,
        `/oracleScheme the oracle signs with ${oracle.scheme}`,
        '/oracleScheme',
        id,
      ),
    )
  }
  const held = pool.capabilities.get(capability.capabilityKey)
  if (isHeldDuplicate(held, id, capability)) return refuse({ status: 'duplicate', kind: 'capability', id })
  const work = verifyWork(context, capability)
  if (!('bits' in work)) return refuse({ ...work, kind: 'capability', id })
  const sameOracle = held?.oracle === capability.oracle
  const weaker = held && sameOracle && weakerUpdate(held, capability, id, work.bits)
  if (weaker) return refuse({ ...weaker, kind: 'capability' })
  if (!held) {
    const check = oracle.capabilities.check(
      workRank({ work: workOf(work.bits) }, capability.capabilityKey),
      now,
    )
    if (!check.fits) return refuse(lowPow(check, 'capability', id))
  }
  const large = tooLarge(context, 'capability')
  if (large) return refuse(large)
  const signed = checkSignatures(context, capability)
  if (!signed.ok) return refuse({ status: 'invalid', kind: 'capability', id, reason: reasonOf(signed.error) })
  if (held && !sameOracle) {
    return refuse(
      invalid(Code.KEY_TAKEN, '/capabilityKey is advertised by another oracle', '/capabilityKey', id),
    )
  }
  if (held) {
    const verdict = compareVersions(held, capability, id, work.bits)
    if (verdict !== 'replace') return refuse({ ...verdict, kind: 'capability' })
  }
  return {
    admission: { status: held ? 'updated' : 'added', kind: 'capability', id },
    parent: oracle,
    insert: {
      kind: 'capability',
      key: capability.capabilityKey,
      oracle: capability.oracle,
      id,
      message: capability,
      canonical: context.canonical,
      bytes,
      bits: work.bits,
      work: workOf(work.bits),
      receivedAt: held?.receivedAt ?? now,
    },
  }
}

function admitReport(context: AdmitContext, report: Report): Decision {
  const { pool, id, bytes, now } = context
  const oracle = pool.oracles.get(report.oracle)
  if (!oracle)
    return refuse(invalid(Code.UNKNOWN_ORACLE, '/oracle is not an oracle this node holds', '/oracle', id))
  const held = pool.reports.get(id)
  if (isHeldDuplicate(held, id, report)) return refuse({ status: 'duplicate', kind: 'report', id })
  // A report's work is bound to its text without proofs, which its id hashes.
  const work = verifyWork(context, report, context.powBound === context.canonical ? id : undefined)
  if (!('bits' in work)) return refuse({ ...work, kind: 'report', id })
  // Whether it will count is known from its shape (the evidence check below confirms it or
  // refuses the report), and reports that count outrank those that do not. Of the reports on
  // one commitment only one counts (§8).
  const commitment = commitmentOf(report)
  const counts =
    !held?.dispute &&
    (evidenceClass(report.content) === 'verified' || pool.options.countSubjectiveReports) &&
    (commitment === undefined || wouldCount(oracle.commitments?.get(commitment), workOf(work.bits), id))
  if (!held) {
    const check = oracle.reports.check(reportRank({ counts, work: workOf(work.bits) }, id), now)
    if (!check.fits) return refuse(lowPow(check, 'report', id))
  }
  const large = tooLarge(context, 'report')
  if (large) return refuse(large)
  const signed = checkSignatures(context, report)
  if (!signed.ok) return refuse({ status: 'invalid', kind: 'report', id, reason: reasonOf(signed.error) })
  // Same content, verified: only more work makes it news.
  if (held && work.bits <= held.bits) return refuse({ status: 'duplicate', kind: 'report', id })
  // [REJECT] machine-checkable evidence must hold; deadlines are judged with the tolerated
  // clock skew in favour of the accused ([IGNORE] a deadline not passed yet, verdicts.ts)
  const evidence = verifyReportEvidence(report, { now, toleranceSeconds: pool.options.clockSkewSeconds })
  if (!evidence.ok) return refuse({ status: 'invalid', kind: 'report', id, reason: reasonOf(evidence.error) })
  if (!pool.inShard(id)) return refuse({ status: 'skipped', kind: 'report', id })
  return {
    admission: { status: held ? 'updated' : 'added', kind: 'report', id },
    parent: oracle,
    insert: {
      kind: 'report',
      oracle: oracle.key,
      id,
      message: report,
      canonical: context.canonical,
      bytes,
      bits: work.bits,
      work: workOf(work.bits),
      receivedAt: held?.receivedAt ?? now,
      verdict: evidence.value,
      ...(held?.dispute && { dispute: held.dispute }),
      counts,
      ...(commitment !== undefined && { commitment }),
    },
  }
}

function admitDispute(context: AdmitContext, dispute: Dispute): Decision {
  const { pool, id } = context
  const report = pool.reports.get(dispute.report)
  if (!report)
    return refuse(invalid(Code.UNKNOWN_REPORT, '/report is not a report this node holds', '/report', id))
  const content = report.message.content
  // A dispute answers only a kind whose spec says a fact cancels it.
  const disputable = specOf(content).dispute
  if (!disputable) {
    return refuse(
      invalid(
        Code.NOT_DISPUTABLE,
        `/report a ${content.type} report cannot be disputed with a fact`,
        '/report',
        id,
      ),
    )
  }
  // A dispute has no proof fields: the same id is the same bytes, already verified.
  const heldId = report.dispute && messageId(report.dispute)
  if (heldId === id) return refuse({ status: 'duplicate', kind: 'dispute', id })
  const large = tooLarge(context, 'dispute')
  if (large) return refuse(large)
  // [REJECT] the fact is signed by the capability key it names: the message alone decides.
  const signed = verifySignatures(dispute.fact)
  if (!signed.ok) {
    return refuse({
      status: 'invalid',
      kind: 'dispute',
      id,
      reason: { ...reasonOf(signed.error), path: '/fact/signature' },
    })
  }
  // [IGNORE] the fact must keep the commitment, checked against the capability the oracle
  // advertised (the one this node holds, else the one the report carries, signed by the
  // oracle), never a key the dispute brings. The rule is the traders' too (verifyDispute);
  // a mismatch is not a reject, since another node may hold another version of the ad.
  const held = pool.capabilities.get(disputable.commitment(content).request.capability)
  const kept = verifyDispute(report.message, dispute, held?.message)
  if (!kept.ok)
    return refuse(
      invalid(Code.DISPUTE_MISMATCH, kept.error.message, String(kept.error.details.path ?? '/fact'), id),
    )
  // Two valid disputes of one report (a fact signed twice): the lower id stays, so every node
  // keeps the same one whatever the order they came in.
  if (heldId !== undefined && heldId < id) {
    return refuse(
      invalid(
        Code.ALREADY_DISPUTED,
        '/report is already disputed by a valid dispute with a lower id',
        '/report',
        id,
      ),
    )
  }
  // The report, amended: a disputed report no longer counts, nor does any report on its
  // commitment (§8); it moves to the middle tier of its oracle's pool, above what never
  // counted, so a flood of those cannot evict it and bring the penalty back.
  const { kind, oracle, verdict, commitment } = report
  return {
    admission: { status: 'updated', kind: 'dispute', id },
    insert: {
      kind,
      id: report.id,
      oracle,
      message: report.message,
      bytes: report.bytes,
      bits: report.bits,
      work: report.work,
      receivedAt: report.receivedAt,
      verdict,
      ...(commitment !== undefined && { commitment }),
      dispute,
      counts: false,
    },
  }
}

function admitOffer(context: AdmitContext, offer: Offer): Decision {
  const { pool, id, bytes, now } = context
  const key = offerKey(offer)
  const question = offer.terms.question
  // [REJECT] offers are kept only for capabilities this node holds (design §9)
  const capability = pool.capabilities.get(question.capability)
  if (!capability) {
    return refuse(
      invalid(
        Code.UNKNOWN_CAPABILITY,
        '/terms/question/capability is not a capability this node holds',
        '/terms/question/capability',
        id,
      ),
    )
  }
  if (pool.isExpired(offer, now)) {
    return refuse(invalid(Code.EXPIRED, '/terms/expires the offer has expired', '/terms/expires', id))
  }
  const terms = checkTerms(offer, capability)
  if (terms) return refuse({ ...terms, id, kind: 'offer' })
  const held = pool.offers.get(key)
  if (isHeldDuplicate(held, id, offer)) return refuse({ status: 'duplicate', kind: 'offer', id })
  // An offer's work is bound to its signed terms, which its key hashes.
  const work = verifyWork(context, offer, key)
  if (!('bits' in work)) return refuse({ ...work, kind: 'offer', id })
  const weaker = held && weakerUpdate(held, offer, id, work.bits)
  if (weaker) return refuse({ ...weaker, kind: 'offer' })
  if (!held) {
    const rank = workRank({ work: workOf(work.bits) }, key)
    const perCapability = pool.offersByCapability.get(capability.key)
    for (const check of [pool.offers.check(rank, now), perCapability?.check(rank, now)]) {
      if (check && !check.fits) return refuse(lowPow(check, 'offer', id))
    }
  }
  const large = tooLarge(context, 'offer')
  if (large) return refuse(large)
  const signed = checkSignatures(context, offer)
  if (!signed.ok) return refuse({ status: 'invalid', kind: 'offer', id, reason: reasonOf(signed.error) })
  if (held) {
    // Two acceptances at the same stage: the first one seen stays; the originator decides.
    const verdict = compareVersions(held, offer, id, work.bits)
    if (verdict !== 'replace') return refuse({ ...verdict, kind: 'offer' })
  }
  if (!pool.inShard(key)) return refuse({ status: 'skipped', kind: 'offer', id })
  return {
    admission: { status: held ? 'updated' : 'added', kind: 'offer', id },
    parent: capability,
    insert: {
      kind: 'offer',
      key,
      capability: capability.key,
      id,
      message: offer,
      canonical: context.canonical,
      bytes,
      bits: work.bits,
      work: workOf(work.bits),
      receivedAt: held?.receivedAt ?? now,
    },
  }
}

/** Bets must be answers of the capability; arguments must be its params' allowed values. */
function checkTerms(offer: Offer, capability: CapabilityEntry): Admission | undefined {
  const rules = capability.offerRules
  const { answers, params } = rules
  // A payout curve exactly on a numeric capability of its width, and bets on no other.
  const curve = curveCapabilityProblem(offer.terms, rules)
  if (curve) return invalid(Code.OFFER_TERMS, `${curve.path} ${curve.reason}`, curve.path)
  // Loops, not `find` with closures: this runs on every offer.
  for (const side of BET_SIDES) {
    for (const stray of offer.terms[side]) {
      if (answers.includes(stray)) continue
      return invalid(
        Code.OFFER_TERMS,
        `/terms/${side} "${stray}" is not an answer of the capability`,
        `/terms/${side}`,
      )
    }
  }
  const args = offer.terms.question.args
  for (const param of params) {
    const value = args[param.name]
    if (value === undefined || !param.values.includes(value)) {
      return invalid(
        Code.OFFER_TERMS,
        `/terms/question/args/${param.name} must be one of the capability's values`,
        `/terms/question/args/${param.name}`,
      )
    }
  }
  for (const extra of Object.keys(args)) {
    if (isParam(params, extra)) continue
    return invalid(
      Code.OFFER_TERMS,
      `/terms/question/args/${extra} is not a parameter of the capability`,
      `/terms/question/args/${extra}`,
    )
  }
  return undefined
}

const BET_SIDES = ['originatorBets', 'acceptorBets'] as const

function isParam(params: CapabilityEntry['offerRules']['params'], name: string): boolean {
  for (const param of params) if (param.name === name) return true
  return false
}

/** The decision of the rule of the message's kind. */
export function decide(context: AdmitContext, message: PoolMessage): Decision {
  switch (message.kind) {
    case 'oracle':
      return admitOracle(context, message)
    case 'capability':
      return admitCapability(context, message)
    case 'report':
      return admitReport(context, message)
    case 'dispute':
      return admitDispute(context, message)
    case 'offer':
      return admitOffer(context, message)
  }
}

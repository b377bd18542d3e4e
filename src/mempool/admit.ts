/**
 * Admission rules per kind (design §5), each in the order: PoW and minimum bits → rank →
 * signature → semantics → store. Lodestar-style, every check quotes the rule it enforces.
 */
import { ErrorCode, ok, type Result } from '../protocol/errors.ts'
import { messageId, offerKey, primeSigningBytes } from '../protocol/message.ts'
import type {
  Dispute,
  Message,
  Offer,
  OracleCapability,
  OracleId,
  Report,
} from '../protocol/messages/index.ts'
import { workOf } from '../protocol/pow.ts'
import { verifySignatures } from '../protocol/sign.ts'
import { maxBytesOf } from '../protocol/validate.ts'
import { verifyDispute } from '../protocol/verify-dispute.ts'
import { evidenceClass, verifyReportEvidence } from '../protocol/verify-report.ts'
import { type Admission, MempoolErrorCode as Code } from './admission.ts'
import { BoundedPool } from './bounded-pool.ts'
import { commitmentOf, wouldCount } from './commitments.ts'
import type { CapabilityEntry, OfferEntry, OracleEntry, ReportEntry } from './entries.ts'
import {
  type Changes,
  invalid,
  lowPow,
  type Mempool,
  oracleRank,
  reasonOf,
  reportRank,
  workRank,
} from './mempool.ts'
import { verifiedKey } from './verified-ids.ts'

/** What every rule gets: the pool, the message's id and size, the time, the change log. */
export interface AdmitContext {
  pool: Mempool
  id: string
  bytes: number
  /** `JCS(m)` without proofs, which the id hashes (and all kinds but offers sign). */
  canonical: string
  now: number
  changes: Changes
}

type Updatable = { seqNo: number }

/**
 * An update (higher seqNo) must carry at least the held work. Refused before the signature is
 * checked, like any message too weak to enter: the answer says nothing about what is held.
 */
function weakerUpdate(
  held: { bits: number; message: Updatable },
  incoming: Updatable,
  id: string,
  bits: number,
): Admission | undefined {
  if (incoming.seqNo <= held.message.seqNo || bits >= held.bits) return undefined
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
  held: { id: string; bits: number; message: Updatable },
  incoming: Updatable,
  id: string,
  bits: number,
): Admission | 'replace' {
  if (incoming.seqNo < held.message.seqNo) {
    return invalid(
      Code.STALE_SEQNO,
      `/seqNo ${incoming.seqNo} is older than the held ${held.message.seqNo}`,
      '/seqNo',
      id,
    )
  }
  if (incoming.seqNo === held.message.seqNo) {
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
  if (pool.verified.size > 0 && pool.verified.take(verifiedKey(id, message))) return ok(true)
  primeSigningBytes(message, context.canonical)
  return verifySignatures(message)
}

/**
 * The cheapest rejection: this very message is held (same id, same signature) with at least
 * the claimed work. Decided before checking the PoW, since a claim no higher than what is held
 * cannot be news either way; the held signature was verified, so an equal one needs no check.
 * Any other copy (a signature byte changed, say) is verified before the pool answers.
 */
function isHeldDuplicate(
  held: { id: string; bits: number; message: Message } | undefined,
  id: string,
  message: Message & { pow: { bits: number } },
): boolean {
  return (
    held !== undefined &&
    held.id === id &&
    message.pow.bits <= held.bits &&
    (held.message as { signature?: string }).signature === (message as { signature?: string }).signature
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

export function admitOracle(context: AdmitContext, ad: OracleId): Admission {
  const { pool, now, changes } = context
  const held = pool.oracles.get(ad.pubkey)
  const bid = pool.bidOf(ad)
  if (!held && ad.pow.bits >= pool.options.minBits.oracle) {
    // Rank first, on the claimed bits: a claim too weak to enter is refused whether or not the
    // work is real, so a flood of weak ads costs one tree lookup each, not two hashes.
    const check = pool.oracles.check({ tier: bid, work: workOf(ad.pow.bits), id: ad.pubkey }, now)
    if (!check.fits) return lowPow(check, 'oracle')
  }
  if (held && isHeldDuplicate(held, context.id, ad))
    return { status: 'duplicate', kind: 'oracle', id: held.id }
  const work = pool.verifyWork(ad)
  if (!('bits' in work)) return { ...work, kind: 'oracle' }
  const { id, bytes } = context
  const weaker = held && weakerUpdate(held, ad, id, work.bits)
  if (weaker) return { ...weaker, kind: 'oracle' }
  const large = tooLarge(context, 'oracle')
  if (large) return large
  // [REJECT] the ad is signed by its key (and a previous key links to it)
  const signed = checkSignatures(context, ad)
  if (!signed.ok) return { status: 'invalid', kind: 'oracle', id, reason: reasonOf(signed.error) }
  if (held) {
    const verdict = compareVersions(held, ad, id, work.bits)
    if (verdict !== 'replace') return { ...verdict, kind: 'oracle' }
  }

  if (held) {
    pool.reindexOracle(held, now, () => {
      held.strength += workOf(work.bits) - held.work
      Object.assign(held, { id, message: ad, bits: work.bits, work: workOf(work.bits), bytes, bid })
    })
    changes.put.push(held)
    return { status: 'updated', kind: 'oracle', id }
  }
  const entry: OracleEntry = {
    kind: 'oracle',
    key: ad.pubkey,
    id,
    message: ad,
    bytes,
    bits: work.bits,
    work: workOf(work.bits),
    receivedAt: now,
    density: 0,
    bid,
    capabilities: new BoundedPool(pool.poolInit(pool.options.maxCapabilitiesPerOracle)),
    reports: new BoundedPool(pool.poolInit(pool.options.maxReportsPerOracle)),
    strength: workOf(work.bits),
    penalty: 0n,
  }
  pool.removeEvicted(pool.oracles.set(oracleRank(entry), entry, now), changes)
  pool.byScore.set([-entry.strength, entry.key], entry)
  pool.track(entry)
  changes.put.push(entry)
  if (!pool.enforceByteBudget(entry, now, changes)) return budgetExceeded('oracle', id)
  return { status: 'added', kind: 'oracle', id }
}

export function admitCapability(context: AdmitContext, capability: OracleCapability): Admission {
  const { pool, id, bytes, now, changes } = context
  // [REJECT] a capability belongs to an oracle this node holds (orphans wait at the network layer)
  const oracle = pool.oracles.get(capability.oracle)
  if (!oracle) return invalid(Code.UNKNOWN_ORACLE, '/oracle is not an oracle this node holds', '/oracle', id)
  if (capability.oracleScheme !== oracle.message.scheme) {
    return invalid(
      Code.SCHEME_MISMATCH,
      `/oracleScheme the oracle signs with ${oracle.message.scheme}`,
      '/oracleScheme',
      id,
    )
  }
  const held = pool.capabilities.get(capability.capabilityKey)
  if (isHeldDuplicate(held, id, capability)) return { status: 'duplicate', kind: 'capability', id }
  const work = pool.verifyWork(capability)
  if (!('bits' in work)) return { ...work, kind: 'capability', id }
  const sameOracle = held?.oracle === capability.oracle
  const weaker = held && sameOracle && weakerUpdate(held, capability, id, work.bits)
  if (weaker) return { ...weaker, kind: 'capability' }
  if (!held) {
    const check = oracle.capabilities.check(
      { tier: 0n, work: workOf(work.bits), id: capability.capabilityKey },
      now,
    )
    if (!check.fits) return lowPow(check, 'capability', id)
  }
  const large = tooLarge(context, 'capability')
  if (large) return large
  const signed = checkSignatures(context, capability)
  if (!signed.ok) return { status: 'invalid', kind: 'capability', id, reason: reasonOf(signed.error) }
  if (held && !sameOracle) {
    return invalid(Code.KEY_TAKEN, '/capabilityKey is advertised by another oracle', '/capabilityKey', id)
  }
  if (held) {
    const verdict = compareVersions(held, capability, id, work.bits)
    if (verdict !== 'replace') return { ...verdict, kind: 'capability' }
  }

  const entry: CapabilityEntry = {
    kind: 'capability',
    key: capability.capabilityKey,
    oracle: capability.oracle,
    id,
    message: capability,
    bytes,
    bits: work.bits,
    work: workOf(work.bits),
    receivedAt: held?.receivedAt ?? now,
    density: 0,
  }
  if (held) pool.untrack(held)
  const evicted = oracle.capabilities.set(workRank(entry, entry.key), entry, now)
  pool.capabilities.set(entry.key, entry)
  pool.track(entry)
  pool.reindexOracle(oracle, now, () => {
    oracle.strength += entry.work - (held?.work ?? 0n)
  })
  pool.removeEvicted(evicted, changes)
  changes.put.push(entry)
  if (!pool.enforceByteBudget(entry, now, changes)) return budgetExceeded('capability', id)
  return { status: held ? 'updated' : 'added', kind: 'capability', id }
}

export function admitReport(context: AdmitContext, report: Report): Admission {
  const { pool, id, bytes, now, changes } = context
  const oracle = pool.oracles.get(report.oracle)
  if (!oracle) return invalid(Code.UNKNOWN_ORACLE, '/oracle is not an oracle this node holds', '/oracle', id)
  const held = pool.reports.get(id)
  if (isHeldDuplicate(held, id, report)) return { status: 'duplicate', kind: 'report', id }
  // A report's PoW is bound to the bytes it signs, the text its id hashed.
  primeSigningBytes(report, context.canonical)
  const work = pool.verifyWork(report)
  if (!('bits' in work)) return { ...work, kind: 'report', id }
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
    if (!check.fits) return lowPow(check, 'report', id)
  }
  const large = tooLarge(context, 'report')
  if (large) return large
  const signed = checkSignatures(context, report)
  if (!signed.ok) return { status: 'invalid', kind: 'report', id, reason: reasonOf(signed.error) }
  // Same content, verified: only more work makes it news.
  if (held && work.bits <= held.bits) return { status: 'duplicate', kind: 'report', id }
  // [REJECT] machine-checkable evidence must hold; deadlines are judged with the tolerated
  // clock skew in favour of the accused ([IGNORE] a deadline not passed yet, verdicts.ts)
  const evidence = verifyReportEvidence(report, { now, toleranceSeconds: pool.options.clockSkewSeconds })
  if (!evidence.ok) return { status: 'invalid', kind: 'report', id, reason: reasonOf(evidence.error) }
  if (!pool.inShard(id)) return { status: 'skipped', kind: 'report', id }

  const entry: ReportEntry = {
    kind: 'report',
    oracle: oracle.key,
    id,
    message: report,
    bytes,
    bits: work.bits,
    work: workOf(work.bits),
    receivedAt: held?.receivedAt ?? now,
    density: 0,
    verdict: evidence.value,
    ...(held?.dispute && { dispute: held.dispute }),
    counts,
    ...(commitment !== undefined && { commitment }),
  }
  if (held) pool.untrack(held)
  const evicted = oracle.reports.set(reportRank(entry, id), entry, now)
  pool.reports.set(id, entry)
  pool.track(entry)
  pool.reindexOracle(oracle, now, () => {
    oracle.penalty += (counts ? entry.work : 0n) - (held?.counts ? held.work : 0n)
  })
  if (commitment !== undefined) pool.joinCommitment(oracle, entry, held, now, changes)
  pool.removeEvicted(evicted, changes)
  changes.put.push(entry)
  if (!pool.enforceByteBudget(entry, now, changes)) return budgetExceeded('report', id)
  return { status: held ? 'updated' : 'added', kind: 'report', id }
}

export function admitDispute(context: AdmitContext, dispute: Dispute): Admission {
  const { pool, id, now, changes } = context
  const report = pool.reports.get(dispute.report)
  if (!report) return invalid(Code.UNKNOWN_REPORT, '/report is not a report this node holds', '/report', id)
  const content = report.message.content
  if (content.type !== 'fact-missing') {
    return invalid(
      Code.NOT_DISPUTABLE,
      `/report a ${content.type} report cannot be disputed with a fact`,
      '/report',
      id,
    )
  }
  // A dispute has no proof fields: the same id is the same bytes, already verified.
  const heldId = report.dispute && messageId(report.dispute)
  if (heldId === id) return { status: 'duplicate', kind: 'dispute', id }
  const large = tooLarge(context, 'dispute')
  if (large) return large
  // [REJECT] the fact is signed by the capability key it names: the message alone decides.
  const signed = verifySignatures(dispute.fact)
  if (!signed.ok) {
    return {
      status: 'invalid',
      kind: 'dispute',
      id,
      reason: { ...reasonOf(signed.error), path: '/fact/signature' },
    }
  }
  // [IGNORE] the fact must keep the commitment, checked against the capability the oracle
  // advertised (the one this node holds, else the one the report carries, signed by the
  // oracle), never a key the dispute brings. The rule is the traders' too (verifyDispute);
  // a mismatch is not a reject, since another node may hold another version of the ad.
  const held = pool.capabilities.get(content.commitment.request.capability)
  const kept = verifyDispute(report.message, dispute, held?.message)
  if (!kept.ok)
    return invalid(Code.DISPUTE_MISMATCH, kept.error.message, String(kept.error.details.path ?? '/fact'), id)
  // Two valid disputes of one report (a fact signed twice): the lower id stays, so every node
  // keeps the same one whatever the order they came in.
  if (heldId !== undefined && heldId < id) {
    return invalid(
      Code.ALREADY_DISPUTED,
      '/report is already disputed by a valid dispute with a lower id',
      '/report',
      id,
    )
  }

  const oracle = pool.oracles.get(report.oracle)!
  report.dispute = dispute
  // A disputed report no longer counts, nor does any report on its commitment (§8); it moves
  // to the middle tier of its oracle's pool, above what never counted, so a flood of those
  // cannot evict it and bring the penalty back.
  if (report.counts) {
    report.counts = false
    pool.reindexOracle(oracle, now, () => {
      oracle.penalty -= report.work
    })
  }
  oracle.reports.set(reportRank(report, report.id), report, now)
  if (report.commitment !== undefined) pool.recountCommitment(oracle, report.commitment, now, changes)
  changes.put.push(report)
  return { status: 'updated', kind: 'dispute', id }
}

export function admitOffer(context: AdmitContext, offer: Offer): Admission {
  const { pool, id, bytes, now, changes } = context
  const key = offerKey(offer)
  const question = offer.terms.question
  // [REJECT] offers are kept only for capabilities this node holds (design §9)
  const capability = pool.capabilities.get(question.capability)
  if (!capability) {
    return invalid(
      Code.UNKNOWN_CAPABILITY,
      '/terms/question/capability is not a capability this node holds',
      '/terms/question/capability',
      id,
    )
  }
  if (pool.isExpired(offer, now)) {
    return invalid(Code.EXPIRED, '/terms/expires the offer has expired', '/terms/expires', id)
  }
  const terms = checkTerms(offer, capability)
  if (terms) return { ...terms, id, kind: 'offer' }
  const held = pool.offers.get(key)
  if (isHeldDuplicate(held, id, offer)) return { status: 'duplicate', kind: 'offer', id }
  const work = pool.verifyWork(offer)
  if (!('bits' in work)) return { ...work, kind: 'offer', id }
  const weaker = held && weakerUpdate(held, offer, id, work.bits)
  if (weaker) return { ...weaker, kind: 'offer' }
  if (!held) {
    const rank = { tier: 0n, work: workOf(work.bits), id: key }
    const perCapability = pool.offersByCapability.get(capability.key)
    for (const check of [pool.offers.check(rank, now), perCapability?.check(rank, now)]) {
      if (check && !check.fits) return lowPow(check, 'offer', id)
    }
  }
  const large = tooLarge(context, 'offer')
  if (large) return large
  const signed = checkSignatures(context, offer)
  if (!signed.ok) return { status: 'invalid', kind: 'offer', id, reason: reasonOf(signed.error) }
  if (held) {
    // Two acceptances at the same stage: the first one seen stays; the originator decides.
    const verdict = compareVersions(held, offer, id, work.bits)
    if (verdict !== 'replace') return { ...verdict, kind: 'offer' }
  }
  if (!pool.inShard(key)) return { status: 'skipped', kind: 'offer', id }

  const entry: OfferEntry = {
    kind: 'offer',
    key,
    capability: capability.key,
    id,
    message: offer,
    bytes,
    bits: work.bits,
    work: workOf(work.bits),
    receivedAt: held?.receivedAt ?? now,
    density: 0,
  }
  if (held) pool.untrack(held)
  let perCapability = pool.offersByCapability.get(capability.key)
  if (!perCapability) {
    perCapability = new BoundedPool(pool.poolInit(pool.options.maxOffersPerCapability))
    pool.offersByCapability.set(capability.key, perCapability)
  }
  const evicted = [
    ...pool.offers.set(workRank(entry, key), entry, now),
    ...perCapability.set(workRank(entry, key), entry, now),
  ]
  pool.track(entry)
  pool.removeEvicted(evicted, changes)
  changes.put.push(entry)
  if (!pool.enforceByteBudget(entry, now, changes)) return budgetExceeded('offer', id)
  return { status: held ? 'updated' : 'added', kind: 'offer', id }
}

/** Bets must be answers of the capability; arguments must be its params' allowed values. */
function checkTerms(offer: Offer, capability: CapabilityEntry): Admission | undefined {
  const { answers, params } = capability.message
  for (const side of ['originatorBets', 'acceptorBets'] as const) {
    const stray = offer.terms[side].find((answer) => !answers.includes(answer))
    if (stray !== undefined) {
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
  const extra = Object.keys(args).find((name) => !params.some((param) => param.name === name))
  if (extra)
    return invalid(
      Code.OFFER_TERMS,
      `/terms/question/args/${extra} is not a parameter of the capability`,
      `/terms/question/args/${extra}`,
    )
  return undefined
}

function budgetExceeded(kind: Admission['kind'], id: string): Admission {
  return {
    status: 'low-pow',
    kind,
    id,
    reason: { code: Code.LOW_POW, message: 'too little work per byte to fit the node’s byte budget' },
  }
}

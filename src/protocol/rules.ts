/**
 * Rules a single message must satisfy beyond its schema and signatures, checkable without any
 * node state: placeholders that name parameters, attestation kinds that fit the key, distinct
 * hash locks, offer stages and settlement terms (settlement.ts). Nodes, oracles and traders all
 * call these, so the rule lives here once.
 */
import { ErrorCode, fail, ok, type Result } from './errors.ts'
import type { CommittedAttestation, HashLock, Message, Offer, OracleCapability } from './messages/index.ts'
import { termsProblem } from './settlement.ts'

/** Checks the intrinsic rules of `message`; fails with `SCHEMA_VIOLATION` naming the path. */
export function checkMessageRules(message: Message): Result<true> {
  switch (message.kind) {
    case 'capability':
      return checkCapability(message)
    case 'commitment':
      return checkAttestation(message.attestation)
    case 'offer':
      return checkOfferShape(message)
    default:
      return ok(true)
  }
}

/** Stage of an offer from the signatures it carries; `seqNo` must equal it. */
export function offerStage(offer: Offer): 0 | 1 | 2 {
  if (offer.finalization) return 2
  return offer.acceptance ? 1 : 0
}

function checkCapability(capability: OracleCapability): Result<true> {
  if (capability.attestation.startsWith('schnorr') && capability.capabilityScheme !== 'bip340') {
    return rule('/attestation', 'schnorr attestation needs a bip340 capability key')
  }
  const numeric = capability.attestation === 'schnorr-digits'
  // A numeric capability's answers are the integers of its range; any other lists its answers.
  if (numeric && capability.digits === undefined)
    return rule('/digits', 'a numeric capability declares its digits')
  if (numeric && capability.answers.length > 0)
    return rule('/answers', 'a numeric capability lists no answers')
  if (!numeric && capability.answers.length === 0) return rule('/answers', 'at least one answer is needed')
  if (!numeric && capability.digits !== undefined)
    return rule('/digits', 'only a numeric capability has digits')
  if (!numeric && capability.unit !== undefined) return rule('/unit', 'only a numeric capability has a unit')
  const { params, question } = capability
  const names = new Set<string>()
  for (let index = 0; index < params.length; index++) {
    const { name } = params[index]!
    if (names.has(name)) return rule(`/params/${index}/name`, `parameter "${name}" is declared twice`)
    names.add(name)
  }
  for (const match of question.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = match[1]!
    // `$teamB` may legitimately extend a declared `$team`: accept any declared prefix.
    if (!startsWithAny(name, names)) return rule('/question', `placeholder $${name} names no parameter`)
  }
  return ok(true)
}

/** The rules of a commitment's attestation: distinct hash locks, distinct digit nonces. */
function checkAttestation(attestation: CommittedAttestation): Result<true> {
  switch (attestation.type) {
    case 'hashlock':
      return checkHashLocks(attestation.locks)
    case 'schnorr-digits':
      return checkDigitNonces(attestation.nonces)
    default:
      return ok(true)
  }
}

/**
 * A hash-lock commitment locks each answer once, each with its own hash: a preimage then opens
 * exactly one answer. Two answers under one hash would let one preimage open both sides of a
 * bet; one answer under two hashes would leave the oracle a choice of what to reveal.
 */
function checkHashLocks(locks: readonly HashLock[]): Result<true> {
  const answers = new Set<string>()
  const hashes = new Set<string>()
  for (const [index, { answer, hash }] of locks.entries()) {
    const path = `/attestation/locks/${index}`
    if (answers.has(answer)) return rule(`${path}/answer`, `"${answer}" is locked twice`)
    if (hashes.has(hash)) return rule(`${path}/hash`, 'the hash locks another answer already')
    answers.add(answer)
    hashes.add(hash)
  }
  return ok(true)
}

/**
 * A numeric commitment's nonces are distinct: one nonce for two digits would sign two messages
 * and give the capability key away, and a trader could not tell which digit it attests.
 */
function checkDigitNonces(nonces: readonly string[]): Result<true> {
  const seen = new Set<string>()
  for (const [index, nonce] of nonces.entries()) {
    if (seen.has(nonce))
      return rule(`/attestation/nonces/${index}`, 'the nonce is committed for another digit already')
    seen.add(nonce)
  }
  return ok(true)
}

function checkOfferShape(offer: Offer): Result<true> {
  if (offer.finalization && !offer.acceptance)
    return rule('/finalization', 'a finalization needs an acceptance')
  const stage = offerStage(offer)
  if (offer.seqNo !== stage) {
    return rule(
      '/seqNo',
      `an offer's seqNo is its stage (0 open, 1 accepted, 2 finalized): expected ${stage}`,
    )
  }
  const problem = termsProblem(offer.terms)
  if (problem) return rule(problem.path, problem.reason)
  if (offer.acceptance && offer.acceptance.acceptor === offer.terms.originator) {
    return rule('/acceptance/acceptor', 'the originator cannot accept its own offer')
  }
  return ok(true)
}

function startsWithAny(text: string, prefixes: Iterable<string>): boolean {
  for (const prefix of prefixes) if (text.startsWith(prefix)) return true
  return false
}

function rule(path: string, reason: string): Result<never> {
  return fail(ErrorCode.SCHEMA_VIOLATION, `${path} ${reason}`, { path })
}

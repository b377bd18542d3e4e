/**
 * Builds the protocol test vectors published in docs/test-vectors.json: every message kind
 * with both signature schemes, from fixed keys, with deterministic signatures (ed25519 is
 * deterministic; bip340 uses all-zero aux randomness) and PoW mined from nonce 0.
 */
import { canonicalize } from '../../src/protocol/canonical.ts'
import { toHex } from '../../src/protocol/hex.ts'
import {
  capabilityKeyBody,
  messageId,
  powBound,
  signedBody,
  signerOf,
  withoutProofs,
} from '../../src/protocol/message.ts'
import type { Message, Report } from '../../src/protocol/messages/index.ts'
import { capabilitySigner } from '../../src/protocol/oracle-attestation.ts'
import { type EvidenceVerdict, verifyReportEvidence } from '../../src/protocol/verify-report.ts'
import * as fx from '../support/messages.ts'

export interface VectorCase {
  name: string
  kind: Message['kind']
  message: Message
  /** The exact UTF-8 string whose SHA-256 is the id (the message without `signature` and `pow`). */
  canonical: string
  id: string
  signature?: {
    scheme: string
    publicKey: string
    signature: string
    /** The exact canonical string signed (differs from `canonical` only for offers). */
    signed: string
  }
  /** Capabilities: the capability key's proof of possession, with the exact string it signs. */
  keyProof?: { scheme: string; publicKey: string; signature: string; signed: string }
  pow?: { bound: string; nonce: string; hash: string; bits: number }
  /**
   * Reports only: the outcome of the evidence check (§7) at each `evaluatedAt` (Unix seconds,
   * the `now` of the check): the verdict, or the code and path of the refusal.
   */
  evidence?: EvidenceOutcome[]
}

export type EvidenceOutcome =
  | { evaluatedAt: number; verdict: EvidenceVerdict }
  | { evaluatedAt: number; error: { code: string; path: string } }

/** The deadline of the vectors' commitments: fact-missing evidence holds only after it. */
export const VECTOR_DEADLINE = 1_800_000_000

export interface VectorFile {
  description: string
  version: 2
  keys: Record<string, { scheme: string; secretKey: string; publicKey: string }>
  cases: VectorCase[]
}

/** PoW bits of every vector: enough to be non-trivial, quick to mine. */
export const VECTOR_BITS = 12

export function buildVectorCase(name: string, message: Message): VectorCase {
  const signer = signerOf(message)
  const signature = (message as { signature?: string }).signature
  const bound = powBound(message)
  const pow = (message as { pow?: VectorCase['pow'] }).pow
  return {
    name,
    kind: message.kind,
    message,
    canonical: canonicalize(withoutProofs(message)),
    id: messageId(message),
    ...(signer &&
      signature && {
        signature: {
          scheme: signer.scheme,
          publicKey: signer.pubkey,
          signature,
          signed: canonicalize(signedBody(message)),
        },
      }),
    ...(message.kind === 'capability' && {
      keyProof: {
        scheme: message.capabilityScheme,
        publicKey: message.capabilityKey,
        signature: message.keyProof,
        signed: canonicalize(capabilityKeyBody(message)),
      },
    }),
    ...(bound && pow && { pow: { bound: toHex(bound), nonce: pow.nonce, hash: pow.hash, bits: pow.bits } }),
    ...(message.kind === 'report' && { evidence: evidenceOutcomes(message) }),
  }
}

/**
 * A report's evidence evaluated one second after the commitments' deadline, and for a
 * fact-missing report also at the deadline itself, where it does not hold yet.
 */
export function evidenceOutcomes(report: Report): EvidenceOutcome[] {
  const times =
    report.content.type === 'fact-missing' ? [VECTOR_DEADLINE, VECTOR_DEADLINE + 1] : [VECTOR_DEADLINE + 1]
  return times.map((evaluatedAt) => {
    const checked = verifyReportEvidence(report, { now: evaluatedAt })
    if (checked.ok) return { evaluatedAt, verdict: checked.value }
    return { evaluatedAt, error: { code: checked.error.code, path: String(checked.error.details.path) } }
  })
}

export function buildVectors(): VectorFile {
  const bits = VECTOR_BITS
  const bipOracle = fx.testKey('bip340', 7)
  const edCapability = fx.testKey('ed25519', 8)
  const capability = fx.capabilityAd({}, fx.ORACLE, fx.CAPABILITY, bits)
  const hashlockCapability = fx.capabilityAd(
    { attestation: 'hashlock', seqNo: 3 },
    bipOracle,
    edCapability,
    bits,
  )
  const conflict = fx.report(
    { type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] },
    fx.REPORTER,
    bits,
  )
  const missing = fx.report(
    { type: 'fact-missing', capability, commitment: fx.commitment(VECTOR_DEADLINE) },
    fx.TRADER,
    bits,
  )
  const numeric = fx.capabilityAd(
    { attestation: 'schnorr-digits', digits: 4, answers: [], unit: 'USD', seqNo: 2 },
    fx.ORACLE,
    fx.OTHER_CAPABILITY,
    bits,
  )
  const digitSigner = capabilitySigner(numeric, fx.OTHER_CAPABILITY.secretKey)
  const numericRequest = fx.factRequest(fx.OTHER_CAPABILITY)
  const numericFact = digitSigner.attest(numericRequest, '9', fx.ZERO_AUX)
  const numericConflict = fx.report(
    {
      type: 'fact-conflict',
      capability: numeric,
      facts: [numericFact, digitSigner.attest(numericRequest, '10', fx.ZERO_AUX)],
    },
    fx.REPORTER,
    bits,
  )
  const curveOffer = fx.offer(fx.TRADER, bits, {
    question: numericRequest,
    originatorBets: [],
    acceptorBets: [],
    curve: {
      digits: 4,
      rounding: 10_000,
      points: [
        { value: 0, originator: 0 },
        { value: 4, originator: 0 },
        { value: 11, originator: 250_000 },
        { value: 15, originator: 250_000 },
      ],
    },
  })
  const open = fx.offer(fx.TRADER, bits)
  const accepted = fx.acceptedOffer(open, fx.REPORTER)
  const cases: [string, Message][] = [
    ['oracle ad, ed25519', fx.oracleAd({ tags: ['sports', 'football'] }, fx.ORACLE, bits)],
    [
      'oracle ad, bip340, with manifest URI and bid',
      fx.oracleAd(
        {
          manifestUri: 'https://oracle.example/.well-known/mega-oracle.json',
          bid: { amount: 1000, paymentType: 'lightning', proof: 'lnbc1example' },
          seqNo: 7,
        },
        bipOracle,
        bits,
      ),
    ],
    ['capability, ed25519 oracle, bip340 capability key, schnorr attestation', capability],
    ['capability, bip340 oracle, ed25519 capability key, hashlock attestation', hashlockCapability],
    ['commitment, bip340', fx.commitment(VECTOR_DEADLINE)],
    ['commitment, ed25519', fx.commitment(VECTOR_DEADLINE, edCapability)],
    ['fact, bip340', fx.fact('home')],
    ['fact, ed25519', fx.fact('draw', edCapability)],
    ['report fact-conflict, ed25519 reporter', conflict],
    ['report fact-missing, bip340 reporter', missing],
    [
      'report fact-disagrees-with-public, anonymous',
      fx.report(
        {
          type: 'fact-disagrees-with-public',
          capability,
          fact: fx.fact('away'),
          links: ['https://news.example/match'],
          comment: 'Final score 2-1',
        },
        null,
        bits,
      ),
    ],
    [
      'report ad-collision, ed25519 reporter',
      fx.report(
        {
          type: 'ad-collision',
          ads: [fx.oracleAd({ tags: ['a'] }, fx.ORACLE, bits), fx.oracleAd({ tags: ['b'] }, fx.ORACLE, bits)],
        },
        fx.REPORTER,
        bits,
      ),
    ],
    [
      'report free-form, bip340 reporter',
      fx.report({ type: 'free-form', comment: 'Endpoint down for a week', links: [] }, fx.TRADER, bits),
    ],
    ['dispute of the fact-missing report', fx.dispute(messageId(missing))],
    ['offer open, bip340 originator', open],
    ['offer open, ed25519 originator', fx.offer(fx.REPORTER, bits)],
    ['offer accepted, ed25519 acceptor', accepted],
    ['offer finalized', fx.finalizedOffer(accepted, fx.TRADER)],
    [
      'offer open, 2 of 3 quorum with synonyms (one scoped to a capability)',
      fx.offer(fx.TRADER, bits, {
        quorum: [fx.factRequest(edCapability), fx.factRequest(fx.OTHER_CAPABILITY)],
        threshold: 2,
        synonyms: [
          { capability: edCapability.publicKey, answer: 'home', synonyms: ['hosts'] },
          { answer: 'draw', synonyms: ['tie', 'X'] },
        ],
      }),
    ],
    ['manifest, ed25519', fx.manifest(fx.ORACLE, [capability])],
    ['manifest, bip340', fx.manifest(bipOracle, [hashlockCapability])],
    ['capability, numeric (schnorr-digits, 4 digits)', numeric],
    [
      'commitment, numeric: one nonce per digit',
      digitSigner.commit(numericRequest, VECTOR_DEADLINE, undefined, fx.ZERO_AUX),
    ],
    ['fact, numeric: value 9 (1001), one signature per digit', numericFact],
    ['report fact-conflict, two numeric values', numericConflict],
    ['offer open, payout curve on the numeric capability (long from 4 to 11)', curveOffer],
    [
      'offer finalized, payout curve, ed25519 acceptor',
      fx.finalizedOffer(fx.acceptedOffer(curveOffer, fx.REPORTER), fx.TRADER),
    ],
  ]
  const keys = { ...namedKeys(), bipOracle, edCapability, numericCapability: fx.OTHER_CAPABILITY }
  return {
    description:
      "Mega protocol v2 test vectors. Each case: the message as sent, the canonical string (RFC 8785) whose SHA-256 is the id, the signature with the exact string signed (ed25519 signs its UTF-8 bytes; bip340 signs their SHA-256, with all-zero aux randomness here), for capabilities the capability key's proof of possession (keyProof) likewise, and the PoW with the hex bytes it is bound to. Regenerate: npm run vectors.",
    version: 2,
    keys,
    cases: cases.map(([name, message]) => buildVectorCase(name, message)),
  }
}

function namedKeys() {
  const { ORACLE, CAPABILITY, REPORTER, TRADER } = fx
  return { oracle: ORACLE, capability: CAPABILITY, reporter: REPORTER, trader: TRADER }
}

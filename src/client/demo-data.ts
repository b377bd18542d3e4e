/**
 * A small, realistic data set for demos, the devnet and dashboard tests: oracles of different
 * strength with capabilities, a proven equivocation, a disputed missed deadline, subjective
 * complaints and offers at every stage. Real keys, signatures and proof of work throughout.
 */
import {
  type Commitment,
  type Dispute,
  type Draft,
  type Fact,
  type FactRequest,
  generateKeyPair,
  type KeyPair,
  type Message,
  messageId,
  mineMessageSync,
  type Offer,
  type OracleCapability,
  type OracleId,
  type PoolKind,
  type Report,
  sign,
  signAcceptance,
  signCapability,
  signFinalization,
} from '../protocol/index.ts'
import { EXAMPLE_QUESTION, exampleCapability } from './examples.ts'

/** One message to post, with its kind (the REST route). */
export interface DemoMessage {
  kind: PoolKind
  message: Message
  /** Index of the demo oracle the message is about: its messages depend on each other. */
  oracle: number
}

export interface DemoDataInit {
  /** Identity bits of the strongest oracle; the others get fewer. @default 20 */
  oracleBits?: number
  /** Bits of capabilities, reports and offers (at least the nodes' minimums). @default 12 */
  bits?: number
  /** Unix seconds, for deadlines and expiries. @default now */
  now?: number
}

const ORACLES = [
  { name: 'Alpha Sports', tags: ['sports', 'football'], handicap: 0 },
  { name: 'Beta Results', tags: ['sports'], handicap: 1 },
  { name: 'Gamma Weather', tags: ['weather'], handicap: 2 },
]

/** Builds the demo messages in the order they must be posted (parents first). */
export function buildDemoData(init: DemoDataInit = {}): DemoMessage[] {
  const oracleBits = init.oracleBits ?? 20
  const bits = init.bits ?? 12
  const now = Math.floor(init.now ?? Date.now() / 1000)
  // Match days relative to now: the disputes concern yesterday's match, the offers bet on one
  // the day after tomorrow, so the demo never shows bets on a match already played.
  const played = utcDay(now - 86_400)
  const upcoming = utcDay(now + 2 * 86_400)
  const dates = { name: 'date', values: [played, upcoming] }
  const params = [...EXAMPLE_QUESTION.params.filter((param) => param.name !== 'date'), dates]
  const out: DemoMessage[] = []
  const add = (kind: PoolKind, message: Message, oracle: number) => out.push({ kind, message, oracle })

  const oracles = ORACLES.map((spec, index) => {
    const key = generateKeyPair('ed25519')
    const capabilityKey = generateKeyPair('bip340')
    const draft: Draft<OracleId> = {
      kind: 'oracle',
      scheme: 'ed25519',
      pubkey: key.publicKey,
      seqNo: 1,
      tags: spec.tags,
    }
    add(
      'oracle',
      mineMessageSync<OracleId>(sign<OracleId>(draft, key.secretKey), oracleBits - spec.handicap),
      index,
    )
    const capability = mineMessageSync<OracleCapability>(
      signCapability(
        exampleCapability(
          { oracle: key, capability: capabilityKey, endpoint: `https://oracle-${index}.example/mega` },
          { attestation: 'signature', tags: spec.tags, params },
        ),
        key.secretKey,
        capabilityKey.secretKey,
      ),
      bits + 2,
    )
    add('capability', capability, index)
    return { key, capabilityKey, capability }
  })

  const [alpha, beta, gamma] = oracles as [Oracle, Oracle, Oracle]
  const request: FactRequest = {
    capability: beta.capabilityKey.publicKey,
    args: { home: 'ARS', away: 'CHE', date: played },
  }
  // Beta equivocates: two signed answers to one request, a verified fact-conflict.
  const facts = [fact(beta, request, 'home'), fact(beta, request, 'away')] as [Fact, Fact]
  add('report', report(beta, { type: 'fact-conflict', capability: beta.capability, facts }, bits + 1), 1)
  // Gamma missed a deadline, then answered it: a fact-missing report and its dispute.
  const gammaRequest = { ...request, capability: gamma.capabilityKey.publicKey }
  const commitment = sign<Commitment>(
    {
      kind: 'commitment',
      scheme: 'bip340',
      request: gammaRequest,
      attestation: { type: 'signature' },
      deadline: now - 3600,
    },
    gamma.capabilityKey.secretKey,
  )
  const missing = report(gamma, { type: 'fact-missing', capability: gamma.capability, commitment }, bits)
  add('report', missing, 2)
  const dispute: Dispute = {
    kind: 'dispute',
    report: messageId(missing),
    fact: fact(gamma, gammaRequest, 'draw'),
  }
  add('dispute', dispute, 2)
  add(
    'report',
    report(gamma, { type: 'free-form', comment: 'Endpoint slow at weekends', links: [] }, bits),
    2,
  )

  // Offers on Alpha's capability: open, accepted and finalized.
  const alphaRequest = {
    capability: alpha.capabilityKey.publicKey,
    args: { ...request.args, date: upcoming },
  }
  for (const [index, stage] of (['open', 'accepted', 'finalized'] as const).entries()) {
    add('offer', offer(alphaRequest, index, stage, now, bits), 0)
  }
  return out
}

interface Oracle {
  key: KeyPair
  capabilityKey: KeyPair
  capability: OracleCapability
}

function fact(oracle: Oracle, request: FactRequest, answer: string): Fact {
  return sign<Fact>({ kind: 'fact', scheme: 'bip340', request, answer }, oracle.capabilityKey.secretKey)
}

function report(oracle: Oracle, content: Report['content'], bits: number): Report {
  const reporter = generateKeyPair('ed25519')
  const draft: Draft<Report> = {
    kind: 'report',
    oracle: oracle.key.publicKey,
    content,
    reporter: { scheme: 'ed25519', pubkey: reporter.publicKey },
  }
  return mineMessageSync<Report>(sign<Report>(draft, reporter.secretKey), bits)
}

function offer(
  request: FactRequest,
  index: number,
  stage: 'open' | 'accepted' | 'finalized',
  now: number,
  bits: number,
): Offer {
  const originator = generateKeyPair('bip340')
  const draft: Draft<Offer> = {
    kind: 'offer',
    terms: {
      originator: originator.publicKey,
      scheme: 'bip340',
      nonce: index.toString(16).padStart(16, '0'),
      expires: now + 7 * 86_400,
      question: request,
      originatorBets: ['home'],
      acceptorBets: ['away', 'draw'],
      originatorAmount: 100_000 * (index + 1),
      acceptorAmount: 120_000 * (index + 1),
      chain: 'bitcoin-testnet',
      contact: `nostr:npub1demo${index}`,
    },
    seqNo: 0,
  }
  const open = mineMessageSync<Offer>(sign<Offer>(draft, originator.secretKey), bits)
  if (stage === 'open') return open
  const acceptor = generateKeyPair('ed25519')
  const accepted = signAcceptance(
    {
      ...open,
      seqNo: 1,
      acceptance: { acceptor: acceptor.publicKey, scheme: 'ed25519', contact: 'mailto:taker@example.org' },
    },
    acceptor.secretKey,
  )
  if (stage === 'accepted') return accepted
  return signFinalization({ ...accepted, seqNo: 2, finalization: {} }, originator.secretKey)
}

/** `YYYY-MM-DD` of a Unix time, in UTC. */
function utcDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10)
}

/**
 * Automatic detection: evidence in the trader store that an oracle broke a promise or
 * contradicted itself, turned into report proposals. Pure: the caller passes what the store
 * holds and the clock. Every proposal passes the protocol verifier before it is returned.
 */
import {
  type Commitment,
  entityKey,
  type Fact,
  instantiateQuestion,
  messageId,
  type OracleCapability,
  type OracleId,
  type Report,
  type ReportContent,
  requestKey,
  specOf,
  verifyAttestation,
  verifyReportEvidence,
} from '../protocol/index.ts'
import type { MessageStore } from './message-store.ts'
import { adCollision, factConflict, factMissing, reportSubject } from './reports.ts'

/** What detection reads from the store. */
export interface DetectionInput {
  /** Every stored oracle ad (all versions: collisions hide in old ones). */
  oracles: readonly OracleId[]
  /** Every stored capability ad (all versions). */
  capabilities: readonly OracleCapability[]
  /** The trader's own commitments (a fact is missing only for what the trader was promised). */
  commitments: readonly Commitment[]
  /** Every stored fact. */
  facts: readonly Fact[]
  /** Reports already held: their subjects are not proposed again. */
  reports: readonly Report[]
  /** Unix seconds. */
  now: number
  /** Seconds after a deadline before a missing fact is proposed (clock skew). @default 0 */
  graceSeconds?: number
}

/** A report the evidence supports. */
export interface ReportProposal {
  oracle: string
  content: ReportContent
  verdict: 'verified' | 'subjective'
  /** A sentence for people. */
  reason: string
}

/** Finds reportable evidence; verified proposals first. */
export function detectReports(input: DetectionInput): ReportProposal[] {
  const known = new Set(input.reports.map((report) => reportSubject(report.oracle, report.content)))
  const proposals: ReportProposal[] = []
  const propose = (oracle: string, content: ReportContent, reason: string) => {
    const subject = reportSubject(oracle, content)
    if (known.has(subject)) return
    const evidence = verifyReportEvidence({ kind: 'report', oracle, content } as Report, { now: input.now })
    if (!evidence.ok) return
    known.add(subject)
    proposals.push({ oracle, content, verdict: evidence.value, reason })
  }
  // Capability ads by key: the latest one the oracle signed proves the key is its own.
  const capabilityByKey = new Map<string, OracleCapability>()
  for (const capability of input.capabilities) {
    const held = capabilityByKey.get(capability.capabilityKey)
    if (!held || capability.seqNo > held.seqNo) capabilityByKey.set(capability.capabilityKey, capability)
  }

  // Equivocation: two facts of one capability for one request with different answers.
  const byRequest = groupBy(input.facts, (fact) => requestKey(fact.request))
  for (const facts of byRequest.values()) {
    for (const [first, second] of differingPairs(facts)) {
      const capability = capabilityByKey.get(first.request.capability)
      if (!capability) continue
      propose(
        capability.oracle,
        factConflict(capability, [first, second]),
        `capability ${short(capability.capabilityKey)} answered "${first.answer}" and "${second.answer}" to the same request`,
      )
    }
  }

  // Missed deadlines: an own commitment past its deadline with no fact keeping it.
  const grace = input.graceSeconds ?? 0
  for (const commitment of input.commitments) {
    if (input.now <= commitment.deadline + grace) continue
    const kept = (byRequest.get(requestKey(commitment.request)) ?? []).some(
      (fact) => verifyAttestation(commitment, fact).ok,
    )
    const capability = capabilityByKey.get(commitment.request.capability)
    if (kept || !capability) continue
    propose(
      capability.oracle,
      factMissing(capability, commitment),
      `no fact for the commitment of ${short(capability.capabilityKey)} due at ${new Date(commitment.deadline * 1000).toISOString()}`,
    )
  }

  // Ad collisions: two different signed ads of one entity (oracle or capability) with the same seqNo.
  const ads: readonly (OracleId | OracleCapability)[] = [...input.oracles, ...input.capabilities]
  for (const group of groupBy(ads, (ad) => `${ad.kind}:${entityKey(ad)}:${ad.seqNo}`).values()) {
    const [first, second] = distinctAds(group)
    if (first && second)
      propose(
        first.kind === 'oracle' ? first.pubkey : first.oracle,
        adCollision([first, second] as [OracleId, OracleId] | [OracleCapability, OracleCapability]),
        `two different ${first.kind} ads with seqNo ${first.seqNo}`,
      )
  }

  // Disagreements between oracles on the same question: subjective, proposed against both.
  const byQuestion = groupBy(
    input.facts.filter((fact) => capabilityByKey.has(fact.request.capability)),
    (fact) => instantiateQuestion(capabilityByKey.get(fact.request.capability)!, fact.request),
  )
  for (const facts of byQuestion.values()) {
    for (const [first, second] of differingPairs(facts)) {
      const a = capabilityByKey.get(first.request.capability)!
      const b = capabilityByKey.get(second.request.capability)!
      if (a.oracle === b.oracle) continue
      const reason = `oracles ${short(a.oracle)} and ${short(b.oracle)} disagree ("${first.answer}" vs "${second.answer}")`
      propose(a.oracle, factConflict(a, [first, second], b), reason)
      propose(b.oracle, factConflict(b, [second, first], a), reason)
    }
  }
  return proposals.sort((x, y) => Number(x.verdict !== 'verified') - Number(y.verdict !== 'verified'))
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** One pair per pair of distinct answers (the first fact seen for each answer). */
function differingPairs(facts: readonly Fact[]): [Fact, Fact][] {
  const byAnswer = new Map<string, Fact>()
  for (const fact of facts) if (!byAnswer.has(fact.answer)) byAnswer.set(fact.answer, fact)
  const distinct = [...byAnswer.values()]
  const pairs: [Fact, Fact][] = []
  for (let i = 0; i < distinct.length; i++)
    for (let j = i + 1; j < distinct.length; j++) pairs.push([distinct[i]!, distinct[j]!])
  return pairs
}

function distinctAds<A extends OracleId | OracleCapability>(ads: readonly A[]): A[] {
  const seen = new Map<string, A>()
  for (const ad of ads) {
    const id = messageId(ad)
    if (!seen.has(id)) seen.set(id, ad)
  }
  return [...seen.values()].slice(0, 2)
}

function short(key: string): string {
  return `${key.slice(0, 8)}…`
}

/**
 * Detection over what `store` holds: every oracle and capability ad, the trader's own
 * commitments, and every signed fact — stored, or carried inside disputes and reports (an
 * oracle's dispute can contradict a fact it gave us). Detection re-verifies every fact it uses.
 */
export function detectInStore(store: MessageStore, now: number, graceSeconds = 0): ReportProposal[] {
  const all = <K extends 'oracle' | 'capability' | 'report'>(kind: K) =>
    store.list(kind).map((stored) => stored.message)
  return detectReports({
    oracles: all('oracle'),
    capabilities: all('capability'),
    commitments: store.list('commitment', { own: true }).map((stored) => stored.message),
    facts: knownFacts(store),
    reports: all('report'),
    now,
    graceSeconds,
  })
}

/**
 * The verified `fact-conflict` reports `detectInStore` proposes against one capability key
 * (the same ones, in the same order), reading only what can prove one: that key's capability
 * ads and facts, and the reports on its oracles. What a new fact of that key can reveal,
 * without rerunning detection over the whole store.
 */
export function detectEquivocations(
  store: MessageStore,
  capabilityKey: string,
  now: number,
): ReportProposal[] {
  const capabilities = store.list('capability', { capability: capabilityKey }).map((stored) => stored.message)
  const oracles = new Set(capabilities.map((capability) => capability.oracle))
  return detectReports({
    oracles: [],
    capabilities,
    commitments: [],
    facts: knownFacts(store, capabilityKey),
    reports: [...oracles].flatMap((oracle) =>
      store.list('report', { oracle }).map((stored) => stored.message),
    ),
    now,
  }).filter(
    (proposal) =>
      proposal.verdict === 'verified' &&
      proposal.content.type === 'fact-conflict' &&
      proposal.content.facts[0].request.capability === capabilityKey,
  )
}

/**
 * Every signed fact the store holds (only those of `capabilityKey` when given), once each:
 * fetched ones, and those inside disputes and reports (an oracle's dispute can contradict a
 * fact it gave us). Users re-verify each.
 */
export function knownFacts(store: MessageStore, capabilityKey?: string): Fact[] {
  const facts = new Map<string, Fact>()
  const embedded = [
    ...store
      .list('fact', capabilityKey === undefined ? {} : { capability: capabilityKey })
      .map((stored) => stored.message),
    ...store.list('dispute').map((stored) => stored.message.fact),
    ...store.list('report').flatMap(({ message: { content } }) => specOf(content).facts?.(content) ?? []),
  ]
  for (const fact of embedded)
    if (capabilityKey === undefined || fact.request.capability === capabilityKey)
      facts.set(messageId(fact), fact)
  return [...facts.values()]
}

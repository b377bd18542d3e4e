/**
 * The report kinds (design §8), each described once: its content schema, how its evidence is
 * checked and ranked, whether a dispute cancels it, what one report is about, how people read
 * it and how a trader builds it from the CLI. Every consumer (schema validation, the mempool,
 * the trader, the CLI, the dashboard, the docs tables) iterates {@link REPORT_KINDS} or looks a
 * kind up with {@link reportKindOf}, so a new kind is one {@link ReportKindSpec} passed to
 * {@link registerReportKind} (docs/adding-a-report-kind.md). Pure: the builder's I/O comes in
 * through its {@link ReportInput}.
 */
import type { TSchema } from 'typebox'
import { ok, type Result } from './errors.ts'
import { messageId } from './message.ts'
import {
  AdCollision,
  type Commitment,
  type Fact,
  FactConflict,
  FactDisagreesWithPublic,
  FactMissing,
  FreeForm,
  type MessageByKind,
  type OracleCapability,
  ReportContent,
} from './messages/index.ts'
import { BUILT_IN_REPORT_TEXT, type ReportText, registerReportText } from './report-text.ts'
import {
  type EvidenceContext,
  type EvidenceVerdict,
  isEquivocation,
  verifyAdCollision,
  verifyFactConflict,
  verifyFactDisagreesWithPublic,
  verifyFactMissing,
} from './report-verifiers.ts'

/** What every report content has: its kind's name. */
export interface ReportContentBase {
  type: string
}

/** A CLI flag a report kind reads (`mega trader report <kind> --<name> …`). */
export interface ReportFlag {
  type: 'string' | 'boolean'
  multiple?: boolean
  description: string
  /** The value in help (`--fact <id|file>`); upper-cased in the usage line. */
  placeholder?: string
  /**
   * `evidence` flags name what the report is about and come first in the usage; `text` flags
   * carry what people read (links, comments).
   */
  group: 'evidence' | 'text'
}

/** Evidence kinds a builder may load by id or from a file. */
export type EvidenceKind = 'fact' | 'commitment' | 'oracle' | 'capability'

/**
 * What a builder gets from its caller (the CLI): the flag values, and the I/O it may need.
 * Its methods throw the caller's errors; `usage` throws a usage error (exit code 2 in the CLI).
 */
export interface ReportInput {
  /** The values of the kind's flags (a `multiple` flag as an array). */
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>
  /** A message named by its id in the trader store, or read from a file, of one of `kinds`. */
  load<K extends EvidenceKind>(ref: string, kinds: readonly K[]): Promise<MessageByKind[K]>
  /** The capability ad of `capabilityKey` (held, or fetched from the nodes). */
  capability(capabilityKey: string): Promise<OracleCapability>
  /** A 64-hex-digit key given as `--<flag>`, else a usage error. */
  key(value: unknown, flag: string): string
  usage(message: string): never
}

/** The kind's rows of the docs tables (docs/protocol.md §6.6, content objects, and §7, evidence). */
export interface ReportKindDocs {
  /** The content's fields besides `type`. */
  fields: string
  /** What the report says. */
  meaning: string
  /** The checks of the evidence in order, and the verdict when they hold; one row per case. */
  evidence: readonly { case?: string; rules: string; verdict: string }[]
}

/**
 * One report kind. `C` is the static type of its content (`type` included). The functions are
 * methods so that a spec of one content type stands in the registry of all of them.
 */
export interface ReportKindSpec<C extends ReportContentBase = ReportContentBase> extends ReportText<C> {
  /** The content's `type`: lowercase words joined by hyphens. */
  readonly type: string
  /** The content schema, an object whose `type` is the literal {@link type}. */
  readonly schema: TSchema
  /** What its evidence is worth if it holds, read off its shape before any check (ranking). */
  evidenceClass(content: C): EvidenceVerdict
  /** Checks the evidence against the reported oracle: the verdict, or `EVIDENCE_INVALID`. */
  verify(content: C, oracle: string, context: EvidenceContext): Result<EvidenceVerdict>
  /**
   * Present when the oracle cancels the report with a dispute (the signed fact it was said to
   * withhold): the commitment the fact must keep, and the capability ad it embeds.
   */
  readonly dispute?: {
    commitment(content: C): Commitment
    capability(content: C): OracleCapability
  }
  /**
   * What one penalty is for, when several reports can accuse the same thing (docs/protocol.md
   * §7, one commitment, one penalty): reports with the same subject make one penalty. Undefined: each report is its own.
   */
  subject?(content: C): string | undefined
  /**
   * What a verified report of this kind proves, as a key: two with the same key prove the same
   * failing (the capability that equivocated, the commitment that was broken), so a fact pool
   * need not keep pinning a conflict's evidence once one is held.
   */
  evidenceKey?(content: C): string | undefined
  /** The ids (or texts) that say what the report is about, whoever files it: its dedupe key. */
  evidenceIds(content: C): string[]
  /** The signed facts it embeds (the trader checks every fact it learns of). */
  facts?(content: C): readonly Fact[]
  /** The flags `mega trader report <type>` reads, by name. */
  readonly flags: Readonly<Record<string, ReportFlag>>
  /** An example command line, for help. */
  readonly example?: string
  /** Builds the report's content and the oracle it targets from the caller's input. */
  build(input: ReportInput): Promise<{ oracle: string; content: C }>
  readonly docs: ReportKindDocs
}

function refs(input: ReportInput, flag: string): string[] {
  const value = input.values[flag]
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []
}

function text(input: ReportInput, flag: string): string | undefined {
  const value = input.values[flag]
  return typeof value === 'string' ? value : undefined
}

const FACT_FLAG: ReportFlag = {
  type: 'string',
  multiple: true,
  description: 'a fact: id in the store or JSON file',
  placeholder: 'id|file',
  group: 'evidence',
}
const LINK_FLAG: ReportFlag = {
  type: 'string',
  multiple: true,
  description: 'a public source, repeatable',
  placeholder: 'url',
  group: 'text',
}
const COMMENT_FLAG: ReportFlag = {
  type: 'string',
  description: 'what is wrong, for people',
  placeholder: 'text',
  group: 'text',
}

const factConflict: ReportKindSpec<FactConflict> = {
  type: 'fact-conflict',
  ...BUILT_IN_REPORT_TEXT['fact-conflict'],
  schema: FactConflict,
  evidenceClass: (content) => (isEquivocation(content.capability, content.facts) ? 'verified' : 'subjective'),
  verify: (content, oracle) =>
    verifyFactConflict(oracle, content.capability, content.facts, content.counterCapability),
  evidenceKey: (content) =>
    isEquivocation(content.capability, content.facts) ? content.capability.capabilityKey : undefined,
  evidenceIds: (content) => content.facts.map(messageId),
  facts: (content) => content.facts,
  flags: { fact: FACT_FLAG },
  example: 'mega trader report fact-conflict --fact 1c9e… --fact 77ab…',
  async build(input) {
    const [firstRef, secondRef, ...more] = refs(input, 'fact')
    if (firstRef === undefined || secondRef === undefined || more.length > 0)
      return input.usage('fact-conflict needs exactly two --fact (id or file)')
    const first = await input.load(firstRef, ['fact'])
    const second = await input.load(secondRef, ['fact'])
    const capability = await input.capability(first.request.capability)
    const counterCapability =
      second.request.capability === capability.capabilityKey
        ? undefined
        : await input.capability(second.request.capability)
    return {
      oracle: capability.oracle,
      content: {
        type: 'fact-conflict',
        capability,
        facts: [first, second],
        ...(counterCapability && { counterCapability }),
      },
    }
  },
  docs: {
    fields:
      '`capability`: OracleCapability; `facts`: exactly 2 Facts; `counterCapability`?: OracleCapability',
    meaning:
      'two facts for the same request with different answers (same capability: equivocation; second from another capability: oracles disagree)',
    evidence: [
      {
        case: 'same capability',
        rules:
          "`capability` is the oracle's; `facts[0]` is of `capability`; the answers differ; `facts[0].answer` is an answer of `capability` (`checkAnswer`: one of `answers`, or a value of the range for `schnorr-digits`); `facts[1].request.capability == capability.capabilityKey`, `facts[1]` is of `capability`; `facts[1].answer` is an answer of `capability`; the requests are the same (`JCS({capability,args})` equal)",
        verdict: '`verified` (equivocation)',
      },
      {
        case: 'other capability',
        rules:
          'as above up to `facts[0].answer`; `facts[1]` is for another key: `counterCapability` must be present, by another oracle (`counterCapability.oracle ≠ report.oracle`, path `/content/counterCapability/oracle`) and validly signed, `facts[1]` is of `counterCapability`; the two *instantiated questions* (§6.2) are equal strings',
        verdict: '`subjective` (oracles disagree)',
      },
    ],
  },
}

const factMissing: ReportKindSpec<FactMissing> = {
  type: 'fact-missing',
  ...BUILT_IN_REPORT_TEXT['fact-missing'],
  schema: FactMissing,
  evidenceClass: () => 'verified',
  verify: (content, oracle, context) => verifyFactMissing(oracle, content, context),
  dispute: { commitment: (content) => content.commitment, capability: (content) => content.capability },
  subject: (content) => messageId(content.commitment),
  evidenceKey: (content) => messageId(content.commitment),
  evidenceIds: (content) => [messageId(content.commitment)],
  flags: {
    commitment: {
      type: 'string',
      description: 'a commitment: id in the store or JSON file',
      placeholder: 'id|file',
      group: 'evidence',
    },
  },
  example: 'mega trader report fact-missing --commitment 5d01… --bits 20',
  async build(input) {
    const ref = text(input, 'commitment')
    if (ref === undefined) return input.usage('fact-missing needs --commitment (id or file)')
    const commitment = await input.load(ref, ['commitment'])
    const capability = await input.capability(commitment.request.capability)
    return { oracle: capability.oracle, content: { type: 'fact-missing', capability, commitment } }
  },
  docs: {
    fields: '`capability`: OracleCapability; `commitment`: Commitment',
    meaning: 'a signed commitment whose deadline passed without the fact',
    evidence: [
      {
        rules:
          "`capability` is the oracle's; `commitment.request.capability == capability.capabilityKey`; `commitment.scheme == capability.capabilityScheme`; the commitment's signature is valid; `now − tolerance > commitment.deadline`",
        verdict: '`verified`',
      },
    ],
  },
}

const adCollision: ReportKindSpec<AdCollision> = {
  type: 'ad-collision',
  ...BUILT_IN_REPORT_TEXT['ad-collision'],
  schema: AdCollision,
  evidenceClass: () => 'verified',
  verify: (content, oracle) => verifyAdCollision(oracle, content),
  evidenceIds: (content) => content.ads.map(messageId),
  flags: {
    ad: {
      type: 'string',
      multiple: true,
      description: 'an oracle or capability ad: id or file',
      placeholder: 'id|file',
      group: 'evidence',
    },
  },
  async build(input) {
    const [firstRef, secondRef, ...more] = refs(input, 'ad')
    if (firstRef === undefined || secondRef === undefined || more.length > 0)
      return input.usage('ad-collision needs exactly two --ad (id or file)')
    const first = await input.load(firstRef, ['oracle', 'capability'])
    const second = await input.load(secondRef, ['oracle', 'capability'])
    if (first.kind !== second.kind) return input.usage('the two --ad must be of the same kind')
    const oracle = first.kind === 'oracle' ? first.pubkey : first.oracle
    return { oracle, content: { type: 'ad-collision', ads: [first, second] } as AdCollision }
  },
  docs: {
    fields: '`ads`: exactly 2 OracleIds, or exactly 2 OracleCapabilities',
    meaning: 'two different ads with the same `seqNo`',
    evidence: [
      {
        rules:
          'each ad is by the oracle (`pubkey`, resp. `oracle`, equals `report.oracle`) and validly signed; two capability ads have the same `capabilityKey`; same `seqNo`; different ids',
        verdict: '`verified`',
      },
    ],
  },
}

const factDisagreesWithPublic: ReportKindSpec<FactDisagreesWithPublic> = {
  type: 'fact-disagrees-with-public',
  ...BUILT_IN_REPORT_TEXT['fact-disagrees-with-public'],
  schema: FactDisagreesWithPublic,
  evidenceClass: () => 'subjective',
  verify: (content, oracle) => verifyFactDisagreesWithPublic(oracle, content),
  evidenceIds: (content) => [messageId(content.fact), content.comment],
  facts: (content) => [content.fact],
  flags: { fact: FACT_FLAG, link: LINK_FLAG, comment: COMMENT_FLAG },
  async build(input) {
    const [ref, ...more] = refs(input, 'fact')
    if (ref === undefined || more.length > 0)
      return input.usage('fact-disagrees-with-public needs one --fact (id or file)')
    const comment = text(input, 'comment')
    if (comment === undefined) return input.usage('fact-disagrees-with-public needs --comment')
    const fact = await input.load(ref, ['fact'])
    const capability = await input.capability(fact.request.capability)
    return {
      oracle: capability.oracle,
      content: { type: 'fact-disagrees-with-public', capability, fact, links: refs(input, 'link'), comment },
    }
  },
  docs: {
    fields: '`capability`: OracleCapability; `fact`: Fact; `links`: ≤ 8 `url`; `comment`: `text`',
    meaning:
      "a fact contradicting public knowledge, for people to review; `capability` is the reported oracle's ad whose key signed `fact`",
    evidence: [{ rules: "`capability` is the oracle's; `fact` is of `capability`", verdict: '`subjective`' }],
  },
}

const freeForm: ReportKindSpec<FreeForm> = {
  type: 'free-form',
  ...BUILT_IN_REPORT_TEXT['free-form'],
  schema: FreeForm,
  evidenceClass: () => 'subjective',
  verify: () => ok('subjective'),
  evidenceIds: (content) => [content.comment],
  flags: {
    oracle: {
      type: 'string',
      description: 'the oracle reported (free-form)',
      placeholder: 'key',
      group: 'evidence',
    },
    link: LINK_FLAG,
    comment: COMMENT_FLAG,
  },
  example:
    'mega trader report free-form --oracle 8a88… --comment "answers a day late" --link https://example.org/log',
  async build(input) {
    const oracle = input.key(input.values.oracle, '--oracle')
    const comment = text(input, 'comment')
    if (comment === undefined) return input.usage('free-form needs --comment')
    return { oracle, content: { type: 'free-form', comment, links: refs(input, 'link') } }
  },
  docs: {
    fields: '`comment`: string 1 … 2000 chars; `links`: ≤ 8 `url`',
    meaning: 'anything else',
    evidence: [{ rules: '—', verdict: '`subjective`' }],
  },
}

const kinds: ReportKindSpec[] = [
  factConflict,
  factMissing,
  adCollision,
  factDisagreesWithPublic,
  freeForm,
] as ReportKindSpec[]

/** Every report kind, the built-in five first. */
export const REPORT_KINDS: readonly ReportKindSpec[] = kinds

const types = kinds.map((spec) => spec.type)

/** The `type` of every report kind: a live list, for schemas that name the kinds (`enum`). */
export const REPORT_KIND_TYPES: readonly string[] = types

const byType = new Map(kinds.map((spec) => [spec.type, spec]))

/** The spec of a report content's `type`, if one describes it (for input not checked by a schema). */
export function findReportKind(type: unknown): ReportKindSpec | undefined {
  return typeof type === 'string' ? byType.get(type) : undefined
}

/** The spec of a report content's `type`; throws for a type no spec describes (schema-checked input never has one). */
export function reportKindOf(type: string): ReportKindSpec {
  const spec = byType.get(type)
  if (!spec) throw new RangeError(`no report kind "${type}"`)
  return spec
}

/** The spec of `content`'s kind, typed for a call on that content. */
export function specOf(content: ReportContentBase): ReportKindSpec<ReportContentBase> {
  return reportKindOf(content.type)
}

let version = 0

/**
 * How many report kinds were registered since the process started: a compiled validator of a
 * schema that embeds `ReportContent` is stale once this moves (validate.ts recompiles).
 */
export function reportKindsVersion(): number {
  return version
}

/**
 * Adds a report kind to every consumer: schema validation, evidence checks and ranking in the
 * mempool, the store, sync, the dashboard's labels, the CLI's flags and the docs tables. Throws
 * for a `type` already registered or a schema whose `type` is not that literal.
 */
export function registerReportKind<C extends ReportContentBase>(spec: ReportKindSpec<C>): void {
  if (byType.has(spec.type)) throw new Error(`report kind "${spec.type}" is already registered`)
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(spec.type))
    throw new Error(`report kind "${spec.type}" must be lowercase words joined by hyphens`)
  const literal = (spec.schema as { properties?: { type?: { const?: unknown } } }).properties?.type?.const
  if (literal !== spec.type)
    throw new Error(`the schema of "${spec.type}" must have type: Literal("${spec.type}")`)
  const generic = spec as unknown as ReportKindSpec
  kinds.push(generic)
  types.push(spec.type)
  byType.set(spec.type, generic)
  registerReportText(spec.type, generic)
  // The one `ReportContent` union widens in place, so every schema embedding it (the report,
  // the API's views and documents) takes the kind without being rebuilt.
  ;(ReportContent.anyOf as TSchema[]).push(spec.schema)
  version++
}

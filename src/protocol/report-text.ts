/**
 * How people read a report of each kind: its label and its evidence in one line. Kept apart from
 * the rest of each kind's spec (report-kinds.ts, which spreads these in) because the dashboard
 * bundles it for the browser and must not pull the schemas and verifiers along: this module
 * imports types only. A kind registered in a node's process (`registerReportKind`) adds its
 * text here too; a browser that was built without it shows its `type` and its `comment`.
 */
import type {
  AdCollision,
  FactConflict,
  FactDisagreesWithPublic,
  FactMissing,
  FreeForm,
} from './messages/index.ts'

/** Helpers to show values to people, from the caller (the dashboard's formats). */
export interface TextFormat {
  /** A request's arguments as one line (`away=CHE home=ARS`). */
  args(args: Record<string, string>): string
  /** A Unix time in seconds. */
  time(seconds: number): string
}

/** A report kind for people. */
export interface ReportText<C extends { type: string } = { type: string }> {
  /** A short name (dashboard, listings). */
  readonly label: string
  /** Its evidence in one line; text from the network, to render as text, never as markup. */
  describe(content: C, format: TextFormat): string
}

const factConflict: ReportText<FactConflict> = {
  label: 'two facts conflict',
  describe: (content, format) => {
    const [a, b] = content.facts
    return `answered “${a.answer}” and “${b.answer}” to ${format.args(a.request.args) || 'one request'}`
  },
}

const factMissing: ReportText<FactMissing> = {
  label: 'fact missing',
  describe: (content, format) =>
    `no fact for ${format.args(content.commitment.request.args) || 'the request'} by ${format.time(content.commitment.deadline)}`,
}

const adCollision: ReportText<AdCollision> = {
  label: 'ad collision',
  describe: (content) =>
    `two different ${content.ads[0].kind} ads with sequence number ${content.ads[0].seqNo}`,
}

const factDisagreesWithPublic: ReportText<FactDisagreesWithPublic> = {
  label: 'disagrees with public',
  describe: (content) => `answered “${content.fact.answer}”: ${content.comment}`,
}

const freeForm: ReportText<FreeForm> = { label: 'free-form', describe: (content) => content.comment }

/** The text of the built-in report kinds, by `type`. */
export const BUILT_IN_REPORT_TEXT = {
  'fact-conflict': factConflict,
  'fact-missing': factMissing,
  'ad-collision': adCollision,
  'fact-disagrees-with-public': factDisagreesWithPublic,
  'free-form': freeForm,
} as const

const texts = new Map<string, ReportText>(Object.entries(BUILT_IN_REPORT_TEXT) as [string, ReportText][])

/** Adds the text of a report kind (`registerReportKind` does). */
export function registerReportText(type: string, text: ReportText): void {
  texts.set(type, text)
}

/** The text of `type`: its label and describer, or the type and the `comment` of a kind unknown here. */
export function reportTextOf(type: string): ReportText {
  return (
    texts.get(type) ?? {
      label: type,
      describe: (content) => {
        const comment = (content as { comment?: unknown }).comment
        return typeof comment === 'string' ? comment : ''
      },
    }
  )
}

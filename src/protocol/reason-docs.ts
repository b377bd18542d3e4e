/**
 * The error tables of the documents, rendered from the catalogue of reasons: each sits
 * between `<!-- reasons:<name> begin -->` and `<!-- reasons:<name> end -->` markers, and
 * `npm run docs:errors` rewrites what is between them; docs/errors.md is rendered whole.
 * Pure: text in, text out.
 */
import { REASON_FIXES } from './reason-fixes.ts'
import { REASONS, type Reason, type ReasonArea, reasonsOf } from './reasons.ts'

/** The document listing every code, rendered whole by {@link renderErrorsDoc}. */
export const ERRORS_DOC = 'docs/errors.md'

/** Each area's heading and where its codes show, in the order of docs/errors.md. */
const AREAS: Readonly<Record<ReasonArea, string>> = {
  protocol:
    'The protocol core: a message breaks a rule that holds on every node at every time (protocol.md). Seen in REST problems, gossip verdicts and sync.',
  mempool:
    'Mempool admission: depends on what this node holds, its policy or its clock (protocol.md §8). Seen in REST problems and gossip verdicts.',
  api: 'The node’s REST API (api.md), besides the codes above, which it answers with too.',
  sync: 'Set reconciliation between nodes (sync.md): sent in error frames and logged; `reject` strikes the peer.',
  store: 'The node’s database (SQLite in the data directory): the node does not start.',
  network: 'The peer-to-peer layer and the listening sockets (network.md): the node does not start.',
  oracle:
    'The oracle toolkit (`mega oracle`) and its endpoint (oracles.md): the HTTP status is the endpoint’s.',
  'endpoint-client': 'The client of an oracle endpoint, as used by the trader toolkit and the relay.',
  trader: 'The trader toolkit (`mega trader`, traders.md).',
  contract: 'Bitcoin contracts of the trader toolkit (`mega trader contract`, contracts.md).',
  config: 'The node’s configuration (configuration.md): `mega node` does not start.',
  client: 'The client of a node’s REST API, used by the command line, the oracle and the trader tools.',
  cli: 'The `mega` command line itself.',
}

/** docs/errors.md: every code of the catalogue, by area, with what to do about it. */
export function renderErrorsDoc(): string {
  const areas = [...new Set(REASONS.map((reason) => reason.area))]
  const sections = areas.map((area) => {
    const fixes = REASON_FIXES[area] as Readonly<Record<string, string>>
    const rows = reasonsOf(area).map((reason) => [
      code(reason.code),
      String(reason.http ?? '—'),
      gossipOf(reason),
      reason.meaning,
      fixes[reason.code]!,
    ])
    return `## ${area}\n\n${AREAS[area]}\n\n${table(['code', 'HTTP', 'gossip', 'meaning', 'what to do'], rows)}`
  })
  return `# Error codes

<!-- Generated from src/protocol/reasons.ts and reason-fixes.ts by \`npm run docs:errors\`; do not edit by hand. -->

Every error the project raises carries a stable \`code\`: match on it, never on the message.
It shows as the \`code\` of a REST problem document (\`application/problem+json\`, [api.md](api.md)), at
the end of a \`mega\` error line (\`mega node: … [CONFIG_INVALID]\`, exit code 1, or 2 for
\`USAGE\`), in a sync error frame, and in the node's log. A code is unique within its namespace:
a node's (areas protocol, mempool and api: what a client of a node sees) and each other area on
its own, so \`TOO_LARGE\` is also a sync code and \`UNKNOWN_CAPABILITY\` an oracle endpoint's.

**HTTP** is the status of a response carrying the code (— when it never travels over HTTP).
**gossip** is what gossip does with a message refused for it: \`reject\` drops it and counts
against the peer that sent it, \`ignore\` drops it and the peer keeps its score (honest nodes may
differ: state, policy, clock), \`orphan\` keeps it until its parent arrives; for sync codes,
\`reject\` strikes the peer. Section numbers (§) are [protocol.md](protocol.md)'s unless a document is named.

Areas: ${areas.map((area) => `[${area}](#${area})`).join(' · ')}

${sections.join('\n')}`
}

/** The documents holding generated tables, relative to the repository root, and their tables. */
export const REASON_DOCS: Readonly<Record<string, readonly TableName[]>> = {
  'docs/protocol.md': ['node'],
  'docs/api.md': ['api'],
  'docs/oracles.md': ['oracle'],
  'docs/sync.md': ['sync'],
}

/** The tables: which codes, in which columns. */
export type TableName = 'node' | 'api' | 'oracle' | 'sync'

const TABLES: Record<TableName, () => string> = {
  // The message codes a node answers with, for a second implementation (protocol.md §9).
  node: () =>
    table(
      ['code', 'area', 'HTTP', 'gossip', 'raised when'],
      reasonsOf('protocol', 'mempool').map((reason) => [
        code(reason.code),
        reason.area,
        String(reason.http ?? '—'),
        gossipOf(reason),
        reason.meaning,
      ]),
    ),
  // Every code of the REST API with its status, by status (api.md).
  api: () =>
    table(
      ['status', 'code', 'meaning'],
      byStatus(reasonsOf(...(['protocol', 'mempool', 'api'] as ReasonArea[]))).map((reason) => [
        String(reason.http),
        code(reason.code),
        // Section numbers in meanings are protocol.md's.
        reason.meaning.replaceAll('§', 'protocol.md §'),
      ]),
    ),
  // Set reconciliation's codes, and which strike the peer (sync.md).
  sync: () =>
    table(
      ['code', 'strike', 'meaning'],
      reasonsOf('sync').map((reason) => [
        code(reason.code),
        reason.gossip === 'reject' ? 'yes' : 'no',
        reason.meaning,
      ]),
    ),
  // The oracle toolkit's codes, with the status its endpoint answers (oracles.md).
  oracle: () =>
    table(
      ['code', 'meaning', 'endpoint status'],
      reasonsOf('oracle').map((reason) => [code(reason.code), reason.meaning, String(reason.http ?? '—')]),
    ),
}

/** `text` with every generated table of `names` rewritten from the catalogue. */
export function renderReasonTables(text: string, names: readonly TableName[]): string {
  let out = text
  for (const name of names) {
    const begin = `<!-- reasons:${name} begin (generated by npm run docs:errors) -->`
    const end = `<!-- reasons:${name} end -->`
    const from = out.indexOf(begin)
    const to = out.indexOf(end)
    if (from < 0 || to < from) throw new Error(`markers of the "${name}" table are missing`)
    out = `${out.slice(0, from + begin.length)}\n${TABLES[name]()}${out.slice(to)}`
  }
  return out
}

function gossipOf(reason: Reason): string {
  return reason.gossip ?? '—'
}

function byStatus(reasons: readonly Reason[]): Reason[] {
  return reasons.filter((reason) => reason.http !== null).sort((a, b) => a.http! - b.http!)
}

function code(name: string): string {
  return `\`${name}\``
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |\n`
  return line(header) + line(header.map(() => '---')) + rows.map(line).join('')
}

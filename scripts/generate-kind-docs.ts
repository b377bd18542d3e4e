/**
 * Rewrites the kind tables of docs/protocol.md (§3 message kinds, §6.6 report contents, §7
 * evidence) from the kinds' specs (src/protocol/kinds.ts, src/protocol/report-kinds.ts).
 * Run: npm run docs:kinds
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { KIND_DOCS, renderKindTables } from '../src/protocol/kind-docs.ts'

for (const [path, tables] of Object.entries(KIND_DOCS)) {
  const target = new URL(`../${path}`, import.meta.url)
  writeFileSync(target, renderKindTables(readFileSync(target, 'utf8'), tables))
  console.log(`wrote ${tables.join(', ')} tables in ${path}`)
}

/**
 * Rewrites the error tables of docs/protocol.md §9 and docs/api.md from the catalogue of
 * reasons (src/protocol/reasons.ts). Run: npm run docs:errors
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { REASON_DOCS, renderReasonTables } from '../src/protocol/reason-docs.ts'

for (const [path, tables] of Object.entries(REASON_DOCS)) {
  const target = new URL(`../${path}`, import.meta.url)
  writeFileSync(target, renderReasonTables(readFileSync(target, 'utf8'), tables))
  console.log(`wrote ${tables.join(', ')} table in ${path}`)
}

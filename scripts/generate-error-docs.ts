/**
 * Rewrites the error tables of docs/protocol.md §9, docs/api.md, docs/oracles.md and
 * docs/sync.md, and the whole of docs/errors.md, from the catalogue of reasons
 * (src/protocol/reasons.ts). Run: npm run docs:errors
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { ERRORS_DOC, REASON_DOCS, renderErrorsDoc, renderReasonTables } from '../src/protocol/reason-docs.ts'

for (const [path, tables] of Object.entries(REASON_DOCS)) {
  const target = new URL(`../${path}`, import.meta.url)
  writeFileSync(target, renderReasonTables(readFileSync(target, 'utf8'), tables))
  console.log(`wrote ${tables.join(', ')} table in ${path}`)
}
writeFileSync(new URL(`../${ERRORS_DOC}`, import.meta.url), renderErrorsDoc())
console.log(`wrote ${ERRORS_DOC}`)

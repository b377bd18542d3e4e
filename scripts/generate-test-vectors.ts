/**
 * Writes docs/test-vectors.json. Run: npm run vectors
 * The test suite checks the committed file against independent verification and against
 * this generator, so a change of the rules cannot slip through without regenerating.
 */
import { writeFileSync } from 'node:fs'
import { buildVectors } from '../test/vectors/protocol-vectors.ts'

const target = new URL('../docs/test-vectors.json', import.meta.url)
const vectors = buildVectors()
writeFileSync(target, `${JSON.stringify(vectors, null, 2)}\n`)
console.log(`wrote ${vectors.cases.length} cases to docs/test-vectors.json`)

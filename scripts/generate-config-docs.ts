/** Writes docs/configuration.md from the configuration schema. Run: npm run docs:config */
import { writeFileSync } from 'node:fs'
import { renderConfigDocs } from '../src/node/config-docs.ts'

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs())
console.log('wrote docs/configuration.md')

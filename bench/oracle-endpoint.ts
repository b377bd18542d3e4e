/**
 * Oracle endpoint benchmark: `POST /commitment` and `POST /fact` (Schnorr attestation, file
 * fact source) and `GET /capabilities`, measured by autocannon in its own process. Every
 * request signs: a commitment is one BIP340 signature plus a nonce point, a fact one
 * fixed-nonce BIP340 signature plus a file lookup.
 *
 *   node bench/oracle-endpoint.ts [--seconds 5] [--connections 10] [--json]
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { exampleCapability } from '../src/client/examples.ts'
import { buildEndpoint } from '../src/oracle/endpoint.ts'
import { factSource } from '../src/oracle/sources.ts'
import { mineMessageSync } from '../src/protocol/message-pow.ts'
import type { OracleCapability } from '../src/protocol/messages/index.ts'
import { createCommitment, deriveCapabilitySecret } from '../src/protocol/oracle-attestation.ts'
import { signCapability } from '../src/protocol/sign.ts'
import { generateKeyPair, publicKeyOf } from '../src/protocol/signature.ts'
import { autocannon, type LoadResult } from './autocannon.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
})

const oracle = generateKeyPair('ed25519')
const secretKey = deriveCapabilitySecret(oracle.secretKey, 'bench', 'bip340')
const draft = exampleCapability(
  {
    oracle: { publicKey: oracle.publicKey, scheme: 'ed25519' },
    capability: { publicKey: publicKeyOf('bip340', secretKey), scheme: 'bip340' },
  },
  { attestation: 'schnorr' },
)
const ad = mineMessageSync<OracleCapability>(signCapability(draft, oracle.secretKey, secretKey), 8)
const dir = await mkdtemp(join(tmpdir(), 'mega-bench-endpoint-'))
const request = {
  capability: ad.capabilityKey,
  args: Object.fromEntries(ad.params.map((p) => [p.name, p.values[0]!])),
}
await writeFile(
  join(dir, 'facts.json'),
  JSON.stringify({ facts: [{ args: request.args, answer: ad.answers[0] }] }),
)
const app = await buildEndpoint(
  { capabilities: [{ ad, secretKey, source: factSource({ type: 'file', path: join(dir, 'facts.json') }) }] },
  { rateLimitPerMinute: 1e9 },
)
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const commitment = createCommitment({ capability: ad, secretKey, request, deadline: 2 ** 32 })

const targets = [
  ['GET /capabilities', 'GET', '/capabilities', undefined],
  ['POST /commitment', 'POST', '/commitment', JSON.stringify(request)],
  ['POST /fact', 'POST', '/fact', JSON.stringify(commitment)],
] as const
const results: Record<string, LoadResult> = {}
for (const [name, method, path, body] of targets) {
  results[name] = await autocannon({
    url: `${base}${path}`,
    method,
    ...(body !== undefined && { body }),
    connections: Number(values.connections),
    seconds: Number(values.seconds),
  })
}
await app.close()
await rm(dir, { recursive: true, force: true })

if (values.json) console.log(JSON.stringify({ seconds: Number(values.seconds), results }))
else {
  console.log(
    `${'endpoint'.padEnd(20)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} errors`,
  )
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(20)} ${Math.round(r.requestsPerSecond).toLocaleString('en').padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${r.errors}`,
    )
  }
}

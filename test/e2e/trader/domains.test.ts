/**
 * Domain verification over HTTP: the trader fetches each ad’s manifest from the domain it names
 * (a loopback server stands in for it), and a manifest anywhere but the well-known URL verifies nothing.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { OracleManifest } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { defaultPolicy } from '../../../src/trader/policy.ts'
import { TraderStore } from '../../../src/trader/store.ts'
import { Trader } from '../../../src/trader/trader.ts'
import * as fx from '../../support/messages.ts'

const dirs: string[] = []
async function open() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-trader-store-'))
  dirs.push(dir)
  return { dir, store: new TraderStore({ dataDir: dir }) }
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('domain verification', () => {
  it('verifyDomains fetches each ad’s manifest over HTTP and keeps the verified ones', async (t) => {
    const manifest = fx.manifest()
    const other = fx.oracleAd({ manifestUri: 'https://oracle.example/elsewhere.json' }, fx.REPORTER)
    const server = createServer((request, response) => {
      const found = request.url === '/.well-known/mega-oracle.json'
      response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(found ? manifest : { code: 'NOT_FOUND' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const { port } = server.address() as AddressInfo
    // oracle.example resolves to the loopback server; everything else is real HTTP.
    const toLoopback: typeof fetch = (url, init) =>
      fetch(String(url).replace('https://oracle.example', `http://127.0.0.1:${port}`), init)
    const { dir, store } = await open()
    store.close()
    const trader = new Trader({ dataDir: dir, nodes: [], fetch: toLoopback })
    trader.store.put(manifest.oracle, { origin: 'http://node' })
    trader.store.put(other, { origin: 'http://node' })
    const verdicts = await trader.verifyDomains()
    assert.deepEqual(
      verdicts.map(({ oracle, status }) => [oracle, status]).sort(),
      [
        [fx.ORACLE.publicKey, 'domain-verified'],
        [fx.REPORTER.publicKey, 'invalid'],
      ].sort(),
    )
    const verified = trader.rank({ ...defaultPolicy, domainVerifiedOnly: true })
    assert.deepEqual(
      verified.filter((oracle) => oracle.excluded === undefined).map((oracle) => [oracle.key, oracle.domain]),
      [[fx.ORACLE.publicKey, 'oracle.example']],
    )
    trader.close()
  })
})

describe('domain spoofing', () => {
  it('a manifest anywhere but the domain’s well-known URL does not verify the domain', async (t) => {
    // The spoofer uploads a manifest naming oracle.example to a user-content path of that host.
    const uri = 'https://oracle.example/uploads/mallory/mega-oracle.json'
    const ad = fx.oracleAd({ manifestUri: uri }, fx.OTHER_ORACLE)
    const spoofed = sign<OracleManifest>(
      { kind: 'manifest', domain: 'oracle.example', oracle: ad, capabilities: [] },
      fx.OTHER_ORACLE.secretKey,
      fx.ZERO_AUX,
    )
    const server = createServer((request, response) => {
      const found = request.url === '/uploads/mallory/mega-oracle.json'
      response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(found ? spoofed : { code: 'NOT_FOUND' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const { port } = server.address() as AddressInfo
    const toLoopback: typeof fetch = (url, init) =>
      fetch(String(url).replace('https://oracle.example', `http://127.0.0.1:${port}`), init)
    const { dir, store } = await open()
    store.close()
    const trader = new Trader({ dataDir: dir, nodes: [], fetch: toLoopback })
    trader.store.put(ad, { origin: 'http://node' })
    const [verdict] = await trader.verifyDomains()
    assert.equal(verdict?.status, 'foreign-advertiser')
    assert.match(verdict?.reason ?? '', /is not https:\/\/oracle\.example\/\.well-known\/mega-oracle\.json/)
    // Even a copy the trader keeps as its own does not make the oracle domain-verified.
    trader.store.put(spoofed, { own: true, origin: uri })
    const [ranked] = trader.rank({ ...defaultPolicy, domainVerifiedOnly: true })
    assert.equal(ranked?.excluded, 'not domain-verified')
    trader.close()
  })
})

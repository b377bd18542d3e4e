/**
 * The browser trader in real Chromium (playwright-core): a node on loopback, a real `mega
 * oracle serve` process, two browser contexts as two traders. Keys are created and encrypted in
 * IndexedDB; oracles ranked from the node, every message re-checked in the page; a fact asked
 * and verified straight from the oracle endpoint (CORS); the oracle cheats, the page detects the
 * conflict and files the report with work mined in Web Workers, and the node's score drops; an
 * offer is published in one context, accepted in the other and finalized, sealed details opened
 * on each side; a reload keeps the encrypted key and asks for the passphrase.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import vectors from '../../../docs/test-vectors.json' with { type: 'json' }
import { OracleEndpointClient } from '../../../src/client/endpoint-client.ts'
import { EXAMPLE_QUESTION } from '../../../src/client/examples.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import type { RootKey } from '../../../src/keys/keystore.ts'
import { mine } from '../../../src/miner/index.ts'
import { advertiseRound } from '../../../src/oracle/advertise.ts'
import { addCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity } from '../../../src/oracle/identity.ts'
import type { OracleCapability } from '../../../src/protocol/messages/index.ts'
import { collectOracles } from '../../../src/trader/collect.ts'
import type { TraderError } from '../../../src/trader/errors.ts'
import { endpointCall } from '../../../src/trader/facts.ts'
import { MemoryStore } from '../../../src/trader/message-store.ts'
import { checkVectorFile } from '../../../src/web-trader/vectors.ts'
import * as fx from '../../support/messages.ts'
import { freePort } from '../../support/ports.ts'
import { ARTIFACTS, CHROMIUM, launchBrowser, type SeededNode, startSeededNode } from '../dashboard/helpers.ts'
import { serveOracle, stopOracle, until } from '../trader/helpers.ts'

const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`
const PASSPHRASE = 'oracle passphrase'
const REPORT_BITS = 12
/** Seconds from a commitment to its deadline at the endpoint. */
const DEADLINE = 4
const VECTORS = new URL('../../../docs/test-vectors.json', import.meta.url).pathname

/** A hostile node: the oracle's ad with one signature digit changed. */
function tamper(body: string): string {
  const view = JSON.parse(body) as { ad: { signature: string } }
  const s = view.ad.signature
  view.ad.signature = `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`
  return JSON.stringify(view)
}

describe('browser trader', { skip, timeout: 240_000 }, () => {
  let node: SeededNode
  let browser: Browser
  let dir: string
  let factsFile: string
  let cheat: RootKey
  let serve: ChildProcess | undefined
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  let alice: Page
  let bob: Page

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${node.url}/trader?clock-skew=1`)
    await page.locator('#main[data-ready="yes"]').waitFor()
    return page
  }

  async function createKey(page: Page, passphrase: string, scheme: string): Promise<string> {
    await page.fill('#new-passphrase', passphrase)
    await page.selectOption('#scheme', scheme)
    await page.click('#create-key')
    return (await page.locator('#public-key').textContent({ timeout: 30_000 }))!
  }

  async function nodeOracle(key: string) {
    const { body } = await node.client.get(`oracles/${key}`)
    return body as { score: { work: string }; strength: { work: string }; reports: { counts: boolean }[] }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mega-browser-trader-'))
    // Nodes judge deadlines with a clock skew in favour of the accused: 1 s here, so a missing
    // fact becomes reportable within the test (the page is told with `?clock-skew=1`).
    ;[node, browser] = await Promise.all([
      startSeededNode({ seed: false, clockSkewSeconds: 1 }),
      launchBrowser().then((b) => b!),
    ])
    const oracleDir = join(dir, 'oracle')
    factsFile = join(dir, 'facts.json')
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'home' }] }))
    const port = await freePort()
    cheat = await initOracle({ dir: oracleDir, passphrase: PASSPHRASE, logN: 10 })
    await mineIdentity({ dir: oracleDir, root: cheat, bits: 14, threads: 1, tags: ['sports'] })
    await addCapability({
      dir: oracleDir,
      root: cheat,
      bits: 10,
      threads: 1,
      spec: {
        label: 'winner',
        ...EXAMPLE_QUESTION,
        tags: ['sports'],
        endpoint: `http://127.0.0.1:${port}`,
        source: { type: 'file', path: factsFile },
      },
    })
    await advertiseRound({ dir: oracleDir, root: cheat, nodes: [node.url] })
    // A short deadline, so a missing fact becomes reportable within the test.
    serve = await serveOracle(
      oracleDir,
      ['--port', String(port), '--stateless', '--deadline', String(DEADLINE)],
      PASSPHRASE,
    )
    contexts.push(await browser.newContext(), await browser.newContext())
    alice = await open(contexts[0]!)
    bob = await open(contexts[1]!)
  })

  after(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await stopOracle(serve)
    await node?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('creates keys, ranks, asks and verifies, catches the cheat and files a report mined in the browser', async () => {
    const aliceKey = await createKey(alice, 'alice passphrase', 'bip340')
    assert.match(aliceKey, /^[0-9a-f]{64}$/)
    await alice.click('#refresh-oracles')
    await alice.locator(`#ranking li[data-key="${cheat.publicKey}"]`).waitFor()

    for (const [name, value] of Object.entries(fx.factRequest().args))
      await alice.selectOption(`select[name="${name}"]`, value)
    await alice.click('#ask')
    await alice.locator('#asked .fact').filter({ hasText: 'home' }).waitFor({ timeout: 30_000 })
    assert.match((await alice.locator('#asked .fact').first().textContent()) ?? '', /committed nonce/)

    // The oracle changes its answer; the same commitment asked again gets the other one.
    await writeFile(factsFile, JSON.stringify({ facts: [{ args: fx.factRequest().args, answer: 'away' }] }))
    await alice.getByRole('button', { name: 'Ask for the fact again' }).click()
    await alice.locator('#asked .fact').filter({ hasText: 'away' }).waitFor()

    await alice.click('#detect')
    const proposal = alice.locator('#proposals li')
    assert.match((await proposal.textContent()) ?? '', /fact-conflict/)
    await alice.fill('#report-bits', String(REPORT_BITS))
    const before = await nodeOracle(cheat.publicKey)
    await proposal.getByRole('button', { name: 'Mine and file' }).click()
    await alice.locator('#filed').waitFor({ timeout: 120_000 })
    assert.match((await alice.locator('#filed').textContent()) ?? '', /answered 201/)
    const rate = await alice.locator('#report-mining .rate').textContent()

    const after = await nodeOracle(cheat.publicKey)
    assert.equal(
      BigInt(before.score.work) - BigInt(after.score.work),
      2n ** BigInt(REPORT_BITS),
      'the score dropped',
    )
    assert.equal(after.reports.filter((r) => r.counts).length, 1)

    assert.ok(Number(rate) > 0, 'the page showed its mining rate')

    // The ranking, refreshed, shows the report counting.
    await alice.click('#refresh-oracles')
    await alice
      .locator(`#ranking li[data-key="${cheat.publicKey}"] .report`)
      .filter({ hasText: /^counts/ })
      .waitFor()
  })

  it('files a fact-missing report once a commitment’s deadline passes without its fact', async () => {
    await alice.selectOption('select[name="home"]', 'CHE')
    await alice.selectOption('select[name="away"]', 'ARS')
    await alice.click('#ask')
    await alice.locator('[role="status"]').filter({ hasText: 'FACT_NOT_READY' }).waitFor()
    const before = await nodeOracle(cheat.publicKey)
    await until(
      'the page proposes a fact-missing report',
      async () => {
        await alice.click('#detect')
        return (await alice.locator('#proposals li').filter({ hasText: 'fact-missing' }).count()) === 1
      },
      (DEADLINE + 10) * 1000,
    )
    await alice
      .locator('#proposals li')
      .filter({ hasText: 'fact-missing' })
      .getByRole('button', { name: 'Mine and file' })
      .click()
    await until('the node counts the fact-missing report', async () => {
      const now = await nodeOracle(cheat.publicKey)
      return now.reports.filter((r) => r.counts).length === before.reports.filter((r) => r.counts).length + 1
    })
    await alice.locator('#no-evidence').waitFor()
  })

  it('files a free-form complaint by hand; it does not count under the default policy', async () => {
    const before = await nodeOracle(cheat.publicKey)
    await alice.selectOption('#free-form-oracle', cheat.publicKey)
    await alice.fill('#free-form-comment', 'changed its answer after the match')
    await alice.fill('#free-form-links', 'https://example.org/result')
    await alice.fill('#report-bits', '10')
    await alice.click('#file-free-form')
    await until('the node holds the free-form report', async () => {
      const now = await nodeOracle(cheat.publicKey)
      return now.reports.length === before.reports.length + 1
    })
    assert.equal(
      (await nodeOracle(cheat.publicKey)).score.work,
      before.score.work,
      'a complaint costs no score',
    )
    await alice.click('#refresh-oracles')
    await alice
      .locator(`#ranking li[data-key="${cheat.publicKey}"] .report`)
      .filter({
        hasText: 'does not count −10 bits free-form (subjective): the policy counts only verified evidence',
      })
      .waitFor()
  })

  it('publishes an offer in one context, accepts it in the other, finalizes; sealed details open on each side', async () => {
    const bobKey = await createKey(bob, 'bob passphrase', 'ed25519')
    await alice.fill('#contact', 'mailto:alice@example.org')
    await alice.fill('#offer-bits', '8')
    await alice.click('#publish-offer')
    const aliceOffer = alice.locator('#book li[data-stage="open"]')
    await aliceOffer.waitFor({ timeout: 60_000 })
    const key = (await aliceOffer.getAttribute('data-offer'))!

    await bob.click('#refresh-oracles')
    await bob.click('#refresh-offers')
    await bob.fill('#contact', 'mailto:bob@example.org')
    await bob.fill('#sealed-details', 'bob xpub: tpubBOB')
    await bob.locator(`#book li[data-offer="${key}"]`).getByRole('button', { name: 'Accept' }).click()
    await bob.locator(`#book li[data-offer="${key}"][data-stage="accepted"]`).waitFor()

    await alice.click('#refresh-offers')
    const accepted = alice.locator(`#book li[data-offer="${key}"][data-stage="accepted"]`)
    await accepted.locator('.sealed').filter({ hasText: 'tpubBOB' }).waitFor()
    await alice.fill('#sealed-details', 'funding: txALICE')
    await accepted.getByRole('button', { name: 'Finalize' }).click()
    await alice.locator(`#book li[data-offer="${key}"][data-stage="finalized"]`).waitFor()

    await bob.click('#refresh-offers')
    await bob
      .locator(`#book li[data-offer="${key}"][data-stage="finalized"] .sealed`)
      .filter({ hasText: 'txALICE' })
      .waitFor()
    const { body } = await node.client.get('offers')
    const held = (body as { items: { message: { seqNo: number; acceptance?: { acceptor: string } } }[] })
      .items
    assert.ok(held.some((view) => view.message.seqNo === 2 && view.message.acceptance?.acceptor === bobKey))
  })

  it('shows mining progress with a rate and an ETA, and cancels it', async () => {
    await alice.fill('#offer-bits', '40')
    await alice.click('#publish-offer')
    const progress = alice.locator('#offer-mining')
    await alice.waitForFunction(() =>
      /\d+ H\/s, ETA \d/.test(document.querySelector('#offer-mining')?.textContent ?? ''),
    )
    assert.match(
      (await progress.first().textContent()) ?? '',
      /mining 40 bits on \d+ workers \((wasm|js)[^)]*\)/,
    )
    await alice.getByRole('button', { name: 'Cancel mining' }).click()
    await alice.locator('.error').filter({ hasText: 'MINING_CANCELLED' }).waitFor()
    assert.equal(await alice.getByRole('button', { name: 'Cancel mining' }).count(), 0)
  })

  it('a reload keeps the encrypted key, asks for the passphrase and keeps the proofs', async () => {
    const key = await alice.locator('#public-key').textContent()
    await alice.reload()
    await alice.locator('#main[data-ready="yes"]').waitFor()
    assert.equal(await alice.locator('#public-key').count(), 0, 'locked after a reload')
    await alice.fill('#unlock-passphrase', 'wrong')
    await alice.getByRole('button', { name: 'Unlock' }).click()
    await alice.locator('.error').filter({ hasText: 'KEY_LOCKED' }).waitFor()
    await alice.fill('#unlock-passphrase', 'alice passphrase')
    await alice.getByRole('button', { name: 'Unlock' }).click()
    assert.equal(await alice.locator('#public-key').textContent({ timeout: 30_000 }), key)
    assert.equal(await alice.locator('#asked .fact').count(), 2, 'both signed facts kept in IndexedDB')
    // What was collected is kept too: the ranking shows before any node is asked again.
    await alice.locator(`#ranking li[data-key="${cheat.publicKey}"] .report`).first().waitFor()
    assert.deepEqual(errors, [])
  })

  it('exports an encrypted backup that imports in another browser with the passphrase only', async () => {
    const key = await alice.locator('#public-key').textContent()
    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      alice.getByRole('button', { name: 'Export encrypted backup' }).click(),
    ])
    const backup = await readFile((await download.path())!, 'utf8')
    assert.equal(backup.includes('"ciphertext"'), true)
    const other = await browser.newContext()
    contexts.push(other)
    const page = await open(other)
    await page.fill('#new-passphrase', 'not the passphrase')
    await page.fill('#import-backup', backup)
    await page.getByRole('button', { name: 'Import backup' }).click()
    await page.locator('.error').filter({ hasText: 'KEY_LOCKED' }).waitFor()
    await page.fill('#new-passphrase', 'alice passphrase')
    await page.getByRole('button', { name: 'Import backup' }).click()
    assert.equal(await page.locator('#public-key').textContent({ timeout: 30_000 }), key)
  })

  it('checks the protocol test vectors in the page as Node does, and mines at a measured rate next to the Node miner', async (t) => {
    await alice.setInputFiles('#vectors-file', VECTORS)
    const outcomes = checkVectorFile(vectors)
    const checks = outcomes.reduce((sum, o) => sum + o.checks, 0)
    const summary = alice.locator('#vector-summary')
    await summary.waitFor()
    assert.equal(await summary.textContent(), `${outcomes.length} vectors, ${checks} checks: all pass`)

    await alice.click('#measure-mining')
    const browserRate = Number(await alice.locator('#measured-rate').textContent({ timeout: 30_000 }))
    assert.ok(browserRate > 0)
    let nodeRate = 0
    await mine({
      bound: new Uint8Array(32),
      bits: 64,
      signal: AbortSignal.timeout(3000),
      onProgress: (p) => (nodeRate = p.rate),
    }).catch((error: { code?: string }) => assert.equal(error.code, 'MINING_CANCELLED'))
    t.diagnostic(
      `mining rate over 3 s: browser (Web Workers, WASM) ${browserRate} H/s; node (worker threads) ${Math.round(nodeRate)} H/s`,
    )
  })

  it('works from the keyboard, fits a phone in dark mode, and follows light mode', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    })
    contexts.push(phone)
    const page = await open(phone)
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1')
    // From the heading, Tab reaches the passphrase; the key is created without a pointer.
    for (
      let i = 0;
      i < 5 && (await page.evaluate(() => document.activeElement?.id)) !== 'new-passphrase';
      i++
    )
      await page.keyboard.press('Tab')
    await page.keyboard.type('dave passphrase')
    for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.id)) !== 'create-key'; i++)
      await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.locator('#public-key').waitFor({ timeout: 30_000 })
    await page.click('#refresh-oracles')
    await page.locator(`#ranking li[data-key="${cheat.publicKey}"] .report`).first().waitFor()
    await page.click('#refresh-offers')
    await page.locator('#book li').first().waitFor()
    const { scroll, width, shade } = await page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number)
      return {
        scroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
        shade: (r! + g! + b!) / 3,
      }
    })
    assert.ok(scroll <= width, `content ${scroll}px wide on a ${width}px screen`)
    assert.ok(shade < 60, 'dark background')
    await page.screenshot({ path: join(ARTIFACTS, 'trader-phone-dark.png'), fullPage: true })
    await alice.emulateMedia({ colorScheme: 'light' })
    const light = await alice.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number)
      return (r! + g! + b!) / 3
    })
    assert.ok(light > 200, 'light background')
    await alice.screenshot({ path: join(ARTIFACTS, 'trader-light.png'), fullPage: true })
  })

  it('runs as a static bundle on another origin, talking to the nodes (one down) and the oracle across origins', async () => {
    const out = join(dir, 'web')
    const built = spawn(
      process.execPath,
      [new URL('../../../scripts/build-web.ts', import.meta.url).pathname, out],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let printed = ''
    built.stdout!.on('data', (chunk) => (printed += chunk))
    assert.equal(await new Promise((done) => built.once('exit', done)), 0, printed)
    assert.match(printed, /total gzip \d+ B of the \d+ B budget/)
    const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' }
    const site = createServer(async (request, response) => {
      const name = new URL(request.url!, 'http://x').pathname.slice(1) || 'index.html'
      try {
        const body = await readFile(join(out, name.replace(/[^a-z.]/g, '')))
        response.writeHead(200, {
          'content-type': types[name.split('.').pop()!] ?? 'application/octet-stream',
        })
        response.end(body)
      } catch {
        response.writeHead(404).end()
      }
    })
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done))
    try {
      const { port } = site.address() as AddressInfo
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      page.on('pageerror', (error) => errors.push(error.message))
      // Two nodes, one of them down: the page uses the other and says which failed.
      const down = 'http://127.0.0.1:1'
      await page.goto(
        `http://127.0.0.1:${port}/index.html?node=${encodeURIComponent(down)}&node=${encodeURIComponent(node.url)}`,
      )
      await page.locator('#main[data-ready="yes"]').waitFor()
      assert.equal(await page.locator('#node-url').textContent(), `${down} ${node.url}`)
      await createKey(page, 'carol passphrase', 'ed25519')
      await page.click('#refresh-oracles')
      await page.locator(`#ranking li[data-key="${cheat.publicKey}"] .report`).first().waitFor()
      assert.match(
        (await page.locator('#rejected').textContent()) ?? '',
        /cannot reach the node at http:\/\/127\.0\.0\.1:1/,
      )
      for (const [name, value] of Object.entries(fx.factRequest().args))
        await page.selectOption(`select[name="${name}"]`, value)
      await page.click('#ask')
      await page.locator('#asked .fact').filter({ hasText: 'away' }).waitFor()
    } finally {
      site.closeAllConnections()
      await new Promise((done) => site.close(done))
    }
  })

  it("refuses a hostile node's message and a forged fact with the CLI's messages, and says so when the oracle is unreachable", async () => {
    // What the trader library says of the tampered ad, computed here in Node.
    const hostileFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (!String(input).includes(`/oracles/${cheat.publicKey}`)) return response
      return new Response(tamper(await response.text()), { status: response.status })
    }
    const expected = await collectOracles(
      new NodeClient({ url: node.url, fetch: hostileFetch }),
      new MemoryStore(),
    )
    assert.equal(expected.rejected.length, 1)
    await bob.route(`**/oracles/${cheat.publicKey}`, async (route) => {
      const response = await route.fetch()
      await route.fulfill({ response, body: tamper(await response.text()) })
    })
    await bob.click('#refresh-oracles')
    const rejected = bob.locator('#rejected li')
    await rejected.first().waitFor()
    assert.equal(await rejected.textContent(), expected.rejected[0]!.reason)
    assert.match(expected.rejected[0]!.reason, /MESSAGE_INVALID|SIGNATURE/)
    await bob.unroute(`**/oracles/${cheat.publicKey}`)

    // A hostile endpoint: the fact's answer changed after signing.
    const forgeFact = (body: string) => {
      const fact = JSON.parse(body) as { answer: string }
      fact.answer = fact.answer === 'home' ? 'draw' : 'home'
      return JSON.stringify(fact)
    }
    const { body: view } = await node.client.get(`oracles/${cheat.publicKey}`)
    const capability = (view as { capabilities: { message: OracleCapability }[] }).capabilities[0]!.message
    const forging: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (!String(input).endsWith('/fact')) return response
      return new Response(forgeFact(await response.text()), { status: response.status })
    }
    const client = new OracleEndpointClient({ url: capability.endpoint, fetch: forging })
    const commitment = await client.commitment(
      { capability: capability.capabilityKey, args: fx.factRequest().args },
      capability,
    )
    const refused = await endpointCall(capability.endpoint, () => client.fact(commitment, capability)).then(
      () => assert.fail('the forged fact was accepted'),
      (error: TraderError) => `${error.message} [${error.code}]`,
    )
    assert.match(refused, /ENDPOINT_INVALID/)
    await alice.click('#refresh-oracles') // a reload keeps only own messages: fetch the capabilities again
    await alice.locator(`#ranking li[data-key="${cheat.publicKey}"]`).waitFor()
    await alice.route('**/fact', async (route) => {
      const response = await route.fetch()
      await route.fulfill({ response, body: forgeFact(await response.text()) })
    })
    await alice
      .locator('#asked > li')
      .filter({ has: alice.locator('.fact') })
      .getByRole('button', { name: 'Ask for the fact again' })
      .click()
    await alice.locator('.error').filter({ hasText: 'ENDPOINT_INVALID' }).waitFor()
    assert.equal(await alice.locator('.error').filter({ hasText: 'ENDPOINT_INVALID' }).textContent(), refused)
    await alice.unroute('**/fact')

    serve!.kill('SIGTERM')
    await new Promise((done) => serve!.once('exit', done))
    await alice.locator('#ask').click()
    await alice.locator('.error').filter({ hasText: 'ENDPOINT_UNREACHABLE' }).waitFor()
  })
})

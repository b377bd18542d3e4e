/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): a node seeded
 * with the demo data set on loopback; the ranking, an oracle's reports and the offer book show
 * what the REST API holds; a report posted over REST changes the score on screen without a
 * reload; keyboard navigation; a phone-sized screen; light and dark. Screenshots go to
 * test-artifacts/dashboard/.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import pino from 'pino'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { bootstrapAddress } from '../../../src/cli/devnet-nodes.ts'
import { NodeClient } from '../../../src/client/node-client.ts'
import { formatBits } from '../../../src/dashboard/ui/format.ts'
import type { OracleSummary } from '../../../src/mempool/view-schemas.ts'
import { resolveConfig } from '../../../src/node/config.ts'
import { MegaNode } from '../../../src/node/node.ts'
import { LOW } from '../../support/api.ts'
import * as fx from '../../support/messages.ts'
import {
  ARTIFACTS,
  CHROMIUM,
  launchBrowser,
  newOracleAd,
  type SeededNode,
  startSeededNode,
  waitForPeers,
} from './helpers.ts'

const skip = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set MEGA_CHROMIUM`

describe('dashboard in a browser', { skip, timeout: 120_000 }, () => {
  let seeded: SeededNode
  /** A second node, joined to the first, so the overview has a peer to show. */
  let peer: SeededNode | undefined
  let browser: Browser
  const contexts: BrowserContext[] = []
  /** Every URL any page requested, and every error a page logged. */
  const requested: string[] = []
  const errors: string[] = []
  /** The nodes the pages were opened on: the only origins they may talk to. */
  const origins = new Set<string>()

  before(async () => {
    ;[seeded, browser] = await Promise.all([
      startSeededNode({ network: true }),
      launchBrowser().then((b) => b!),
    ])
    peer = await startSeededNode({ bootstrap: await bootstrapAddress(seeded), seed: false })
    await waitForPeers(seeded, 1)
    // One oracle whose keys the fixtures know, so a test can prove a report against it.
    assert.equal((await seeded.client.post('oracle', fx.oracleAd())).status, 201)
    assert.equal((await seeded.client.post('capability', fx.capabilityAd())).status, 201)
  })
  // Each test's pages go when it ends: kept open, their event streams and keep-alive
  // connections would add up past the node's cap on connections per client address.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()))
  })
  after(async () => {
    await browser?.close()
    await peer?.stop()
    await seeded?.stop()
  })

  /** Opens a page in a new context; console errors matching `expected` are not counted. */
  async function open(
    hash: string,
    options: BrowserContextOptions = {},
    expected?: RegExp,
    base = seeded.url,
  ): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })
    contexts.push(context)
    const page = await context.newPage()
    page.on('request', (request) => requested.push(request.url()))
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error' && !expected?.test(message.text()))
        errors.push(`${message.text()} (${message.location().url || page.url()})`)
    })
    origins.add(base)
    await page.goto(`${base}/${hash}`)
    return page
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

  async function ranking(): Promise<OracleSummary[]> {
    const { body } = await seeded.client.get('oracles', { limit: '100' })
    return (body as { items: OracleSummary[] }).items
  }

  it('ranks the oracles by score as the REST API does, with bars, tags and domain state', async (t) => {
    const started = performance.now()
    const page = await open('#/oracles')
    const rows = page.locator('table.oracles tbody tr')
    await rows.nth(3).waitFor()
    t.diagnostic(`first load of the ranking: ${(performance.now() - started).toFixed(0)} ms`)
    const expected = await ranking()
    assert.equal(expected.length, 4)
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key'))),
      expected.map((oracle) => oracle.key),
    )
    for (const [index, oracle] of expected.entries()) {
      const row = rows.nth(index)
      assert.match(await row.locator('td.score').innerText(), new RegExp(formatBits(oracle.score.bits)))
      for (const tag of oracle.tags) assert.match(await row.innerText(), new RegExp(tag), `tag ${tag}`)
      assert.match(await row.innerText(), /no manifest/)
    }
    const widths = await page
      .locator('td.score .bar-fill')
      .evaluateAll((bars) => bars.map((bar) => (bar as HTMLElement).style.width))
    assert.equal(widths[0], '100%', 'the strongest oracle fills its bar')
    await shot(page, 'oracles')
  })

  it('shows an oracle’s ad, capabilities and reports with kind, work and state', async () => {
    const conflicts = (await seeded.client.get('reports', { type: 'fact-conflict' })).body as {
      items: { oracle: string }[]
    }
    const beta = conflicts.items[0]!.oracle
    const page = await open(`#/oracle/${beta}`)
    const reports = page.locator('table.reports tbody tr')
    await reports.first().waitFor()
    assert.equal(await reports.count(), 1)
    assert.match(await reports.first().innerText(), /two facts conflict\s+9\.0\s+verified\s+yes/)
    assert.match(
      await reports.first().innerText(),
      /answered “home” and “away” to away=CHE date=\d{4}-\d\d-\d\d home=ARS/,
      'the evidence',
    )
    assert.match(
      await page.locator('.capability').innerText(),
      /Who won the match \$home vs \$away on \$date\?/,
    )
    assert.match(await page.locator('.capability').innerText(), /https:\/\/oracle-1\.example\/mega/)
    assert.match(await page.locator('.capability').innerText(), /home, away, draw/)
    // Every number of the cards is shown: the capabilities' share, the counting reports' weight.
    assert.match(
      await page.getByTestId('strength-parts').innerText(),
      /^identity \d+\.\d bits \+ capabilities \d+\.\d bits \(1 held\)$/,
    )
    assert.equal(await page.getByTestId('score-parts').innerText(), 'strength − 9.0 bits of counting reports')
    assert.match(await page.getByTestId('chart-y-axis').innerText(), /^\d+\.\d bits\s+\S+ bits$/)
    assert.match(await page.getByTestId('chart-x-axis').innerText(), /ago\s+now$/)
    await page.getByText('The signed ad as held (JSON)').click()
    assert.equal(JSON.parse(await page.locator('pre.json').innerText()).pubkey, beta)

    const missing = (await seeded.client.get('reports', { type: 'fact-missing' })).body as {
      items: { oracle: string }[]
    }
    await page.goto(`${seeded.url}/#/oracle/${missing.items[0]!.oracle}`)
    await page.locator('table.reports tbody tr').nth(1).waitFor()
    const text = await page.locator('table.reports').innerText()
    assert.match(text, /fact missing\s+8\.0\s+disputed\s+no/)
    assert.match(text, /free-form\s+8\.0\s+subjective\s+no/)
    assert.match(text, /no fact for .* by \d{4}-\d\d-\d\d \d\d:\d\d UTC — disputed with the fact “draw”/)
    assert.match(text, /Endpoint slow at weekends/)
    await shot(page, 'oracle')
  })

  it('shows the offers as an order book per capability, with every stage', async () => {
    const page = await open('#/offers')
    const rows = page.locator('section.book table.offers tbody tr')
    await rows.nth(2).waitFor()
    assert.equal(await page.locator('section.book').count(), 1, 'the demo offers share one capability')
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-stage'))), [
      'open',
      'accepted',
      'finalized',
    ])
    const first = await rows.first().innerText()
    assert.match(first, /Who won the match ARS vs CHE on \d{4}-\d\d-\d\d\?/)
    assert.match(first, /100,000/)
    assert.match(first, /120,000/)
    assert.match(first, /45%/)
    assert.match(await page.locator('section.book h2').innerText(), /Who won the match/)
    await page.selectOption('select', 'finalized')
    await page.waitForFunction(() => document.querySelectorAll('table.offers tbody tr').length === 1)
    assert.match(page.url(), /stage=finalized/)
    await page.selectOption('select', '')
    await rows.nth(2).waitFor()
    await shot(page, 'offers')
  })

  it('changes the score on screen, without a reload, when a report arrives over REST', async (t) => {
    const page = await open(`#/oracle/${fx.ORACLE.publicKey}`)
    const overview = await open('#/')
    const score = page.getByTestId('oracle-score')
    await score.waitFor()
    assert.match(await score.innerText(), /^9\.0/)
    await page.locator('[data-testid=live][data-state=live]').waitFor()
    await overview.locator('[data-testid=live][data-state=live]').waitFor()
    await page.evaluate(() => Object.assign(window, { notReloaded: true }))

    const report = fx.report({
      type: 'fact-conflict',
      capability: fx.capabilityAd(),
      facts: [fx.fact('home'), fx.fact('away')],
    })
    const posted = performance.now()
    assert.equal((await seeded.client.post('report', report)).status, 201)
    await page.waitForFunction(
      () => document.querySelector('[data-testid=oracle-score]')?.textContent?.startsWith('8.0'),
      undefined,
      { timeout: 10_000 },
    )
    t.diagnostic(`score on screen ${(performance.now() - posted).toFixed(0)} ms after the POST`)
    assert.equal(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
      true,
    )
    assert.match(
      await page.locator('table.reports').innerText(),
      /two facts conflict\s+8\.0\s+verified\s+yes/,
    )
    assert.equal(
      await page.locator('table.reports tbody tr.changed').count(),
      1,
      'the new report is highlighted',
    )
    await overview.locator('.feed li', { hasText: 'report' }).waitFor({ timeout: 10_000 })
    assert.match(await overview.locator('.feed li').first().innerText(), /report\s+added/)
    await shot(page, 'oracle-after-report')
  })

  it('shows on the oracle page, live, the conflicts the node’s fact pool caught', async () => {
    const page = await open(`#/oracle/${fx.ORACLE.publicKey}`)
    await page.locator('[data-testid=live][data-state=live]').waitFor()
    assert.match(await page.locator('#conflicts').innerText(), /\(0\)/)
    // Two answers of the oracle's capability key to one question, given to the node's fact pool.
    for (const fact of [fx.fact('home'), fx.fact('away')]) {
      const response = await fetch(`${seeded.url}/fact-record`, {
        method: 'POST',
        body: JSON.stringify(fact),
        headers: { 'content-type': 'application/json' },
      })
      assert.equal(response.status, 201)
    }
    const row = page.locator('table.conflicts tbody tr')
    await row.waitFor({ timeout: 10_000 })
    const text = await row.innerText()
    assert.match(text, /two answers to one question/)
    // The previous test filed a verified fact-conflict report against this capability.
    assert.match(text, /reported/)
    assert.match(text, /\S+…\S+ and \S+…\S+/, 'both pieces of evidence')
    assert.doesNotMatch(
      await page.locator('section[aria-labelledby=conflicts]').innerText(),
      /mega trader conflicts --file/,
      'nothing left to file',
    )
    await shot(page, 'oracle-conflicts')
  })

  it('keeps up with a burst: the ranking ends as the node holds it, without a reload', async (t) => {
    const page = await open('#/oracles')
    const rows = page.locator('table.oracles tbody tr')
    await rows.nth(3).waitFor()
    const before = await rows.count()
    const manifest = 'https://weather.example/.well-known/mega-oracle.json'
    const ads = [...Array.from({ length: 19 }, () => newOracleAd()), newOracleAd({ manifestUri: manifest })]
    const started = performance.now()
    await Promise.all(
      ads.map(async (ad) => assert.equal((await seeded.client.post('oracle', ad)).status, 201)),
    )
    await page.waitForFunction(
      (count) => document.querySelectorAll('table.oracles tbody tr').length === count,
      before + ads.length,
      { timeout: 15_000 },
    )
    t.diagnostic(
      `${ads.length} new oracles on screen ${(performance.now() - started).toFixed(0)} ms after the first POST`,
    )
    const expected = await ranking()
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key'))),
      expected.map((oracle) => oracle.key),
    )
    await page.getByLabel('with a domain manifest').check()
    await page.waitForFunction(() => document.querySelectorAll('table.oracles tbody tr').length === 1)
    assert.match(await rows.first().innerText(), /weather\.example\s+unverified/)
    assert.match(page.url(), /manifest=yes/)
    await shot(page, 'oracles-manifest')
  })

  it('says so when the node does not hold an oracle', async () => {
    const page = await open(`#/oracle/${'0'.repeat(64)}`, {}, /status of 404/)
    await page.getByRole('alert').waitFor()
    assert.match(await page.getByRole('alert').innerText(), /not held by this node/)
  })

  it('keeps what it shows while the node is away, and catches up when it is back', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mega-dashboard-restart-'))
    const start = async (port: number) => {
      const config = resolveConfig({
        dataDir,
        http: { host: '127.0.0.1', port },
        mempool: { minBits: LOW },
        network: { enabled: false },
      })
      const node = new MegaNode(config, { logger: pino({ level: 'silent' }) })
      await node.start()
      return node
    }
    let node = await start(0)
    let page: Page | undefined
    try {
      const url = node.url!
      await new NodeClient({ url }).post('oracle', fx.oracleAd())
      page = await open('#/oracles', {}, /ERR_CONNECTION_REFUSED/, url)
      const live = page.locator('[data-testid=live]')
      await page.locator('[data-testid=live][data-state=live]').waitFor()
      await node.stop()
      await page.locator('[data-testid=live][data-state=connecting]').waitFor()
      assert.match(await live.innerText(), /connecting/)
      assert.equal(await page.locator('table.oracles tbody tr').count(), 1, 'the last data stays on screen')

      node = await start(Number(new URL(url).port))
      const back = performance.now()
      await page.locator('[data-testid=live][data-state=live]').waitFor({ timeout: 15_000 })
      t.diagnostic(`live again ${(performance.now() - back).toFixed(0)} ms after the node restarted`)
      await new NodeClient({ url }).post('capability', fx.capabilityAd())
      await page.waitForFunction(
        () =>
          document.querySelector('table.oracles tbody tr td[data-label=capabilities]')?.textContent === '1',
        undefined,
        { timeout: 10_000 },
      )
    } finally {
      await page?.context().close()
      await node.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('says offline when the node refuses the event stream, and still shows what it holds', async () => {
    const full = await startSeededNode({ api: { maxEventClients: 0 } })
    let page: Page | undefined
    try {
      page = await open('#/oracles', {}, /status of 503/, full.url)
      await page.locator('[data-testid=live][data-state=offline]').waitFor({ timeout: 10_000 })
      assert.match(await page.getByTestId('live').innerText(), /offline: retrying/)
      await page.locator('table.oracles tbody tr').nth(2).waitFor()
    } finally {
      await page?.context().close() // before its node goes, or it logs refused reconnections
      await full.stop()
    }
  })

  it('shows pools, byte budget, floors per kind, uptime and a rate chart on the overview', async () => {
    const page = await open('#/')
    await page.getByTestId('uptime').waitFor()
    const cards = await page.locator('.cards').innerText()
    const { body } = await seeded.client.get('stats')
    const pools = (body as { mempool: Record<string, { count: number }> }).mempool
    assert.match(cards, new RegExp(`${pools.oracles!.count} of 10,000`))
    assert.match(
      cards,
      new RegExp(`${pools.capabilities!.count} capabilities, ${pools.reports!.count} reports`),
    )
    assert.match(cards, new RegExp(`${pools.offers!.count} of 10,000`))
    assert.match(await page.getByTestId('peer-count').innerText(), /^1$/)
    assert.match(cards, /median latency \d+\.\d ms/)
    await page.locator('#peers ~ table tbody tr').first().waitFor()
    assert.match(await page.locator('#peers ~ table').innerText(), /outbound|inbound/)
    assert.match(cards, /KiB of 256 MiB/)
    assert.match(await page.locator('table.compact').innerText(), /oracle\s+8\s+0\.0/)
    // Two samples two seconds apart make the first line of the chart.
    await page.waitForFunction(
      () => (document.querySelector('.line.admitted')?.getAttribute('d') ?? '').includes('L'),
      undefined,
      {
        timeout: 10_000,
      },
    )
    await shot(page, 'overview')
  })

  it('works from the keyboard: / searches, arrows move through the ranking, Enter opens', async () => {
    const page = await open('#/')
    await page.getByTestId('uptime').waitFor()
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content')
    await page.keyboard.press('/')
    await page.waitForFunction(() => document.activeElement?.id === 'search')
    assert.match(page.url(), /#\/oracles/)
    await page.keyboard.type('weather')
    await page.waitForFunction(() => document.querySelectorAll('table.oracles tbody tr').length === 1)
    assert.match(page.url(), /q=weather/)
    for (let i = 0; i < 'weather'.length; i++) await page.keyboard.press('Backspace')
    await page.waitForFunction(
      (count) => document.querySelectorAll('table.oracles tbody tr').length === count,
      (await ranking()).length,
    )
    const keys = await page
      .locator('table.oracles tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')))
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('Enter')
    await page.waitForFunction((key) => location.hash === `#/oracle/${key}`, keys[1])
    await page.getByTestId('oracle-score').waitFor()
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1')
  })

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const page = await open('#/', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    for (const [hash, ready, name] of [
      ['#/', '[data-testid=uptime]', 'phone-overview'],
      ['#/oracles', 'table.oracles tbody tr', 'phone-oracles'],
      [`#/oracle/${fx.ORACLE.publicKey}`, 'table.reports tbody tr', 'phone-oracle'],
      ['#/offers', 'table.offers tbody tr', 'phone-offers'],
    ] as const) {
      await page.goto(`${seeded.url}/${hash}`)
      await page.locator(ready).first().waitFor()
      const { scroll, width } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
      }))
      assert.ok(scroll <= width, `${hash}: content ${scroll}px wide on a ${width}px screen`)
      await shot(page, name)
    }
  })

  it('follows the system’s light or dark mode', async () => {
    const background = async (colorScheme: 'light' | 'dark') => {
      const page = await open('#/oracles', { colorScheme })
      await page.locator('table.oracles tbody tr').first().waitFor()
      await shot(page, `oracles-${colorScheme}`)
      return page.evaluate(() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number)
        return (r! + g! + b!) / 3
      })
    }
    assert.ok((await background('light')) > 200, 'light background')
    assert.ok((await background('dark')) < 60, 'dark background')
  })

  it('loaded nothing from outside the node and logged no errors', () => {
    assert.ok(requested.length > 0)
    const foreign = requested.filter((url) => ![...origins].some((origin) => url.startsWith(`${origin}/`)))
    assert.deepEqual(foreign, [])
    assert.deepEqual(errors, [])
  })
})

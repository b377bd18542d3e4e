/**
 * The trader toolkit (issue 6, docs/traders.md): oracles ranked under a reputation policy,
 * verified facts from oracle endpoints, reports with checked evidence and automatic detection,
 * offers, matching, acceptance and finalization. Pure rules in their own modules; `Trader`
 * ties them to a store, a key, nodes and endpoints.
 *
 * @example
 * ```ts
 * import { defaultPolicy, Trader } from './src/trader/index.ts'
 *
 * const trader = new Trader({ dataDir: './trader-data', nodes: ['http://127.0.0.1:8080'] })
 * await trader.collectOracles({ tag: 'sports' })
 * for (const oracle of trader.rank(defaultPolicy, { tag: 'sports' })) console.log(oracle.key, oracle.score)
 * const { fact } = await trader.ask(capabilityKey, { home: 'ARS', away: 'CHE', date: '2026-11-21' }, 30)
 * for (const proposal of trader.detect()) await trader.fileReport(proposal.oracle, proposal.content, { bits: 20 })
 * trader.close()
 * ```
 *
 * @packageDocumentation
 */

export { checkMessage } from './check.ts'
export * from './contracts.ts'
export * from './detect.ts'
export * from './errors.ts'
export { createTraderKey, TRADER_PASSPHRASE_ENV } from './keys.ts'
export * from './matching.ts'
export * from './offers.ts'
export * from './policy.ts'
export * from './reports.ts'
export * from './seal.ts'
export * from './store.ts'
export * from './trader.ts'

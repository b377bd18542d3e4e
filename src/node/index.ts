/**
 * A node: its configuration (file, environment, flags) and the wiring of mempool, store, fact
 * pool, network and REST API into one process.
 *
 * @packageDocumentation
 */
export { loadConfig, parseHostPort } from './config.ts'
export { ConfigError, ConfigErrorCode } from './config-error.ts'
export { collectGarbageAfter, HeapGrowthCollector } from './heap.ts'
export { ListenError } from './listen-error.ts'
export { MegaNode } from './node.ts'

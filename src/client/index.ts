/**
 * Clients of the two HTTP services a tool talks to: a node's REST API (`NodeClient`) and an
 * oracle's endpoint (`OracleEndpointClient`, which verifies every answer before handing it
 * over), and the demo data a devnet is seeded with. Browser-safe: fetch and the protocol core.
 *
 * @packageDocumentation
 */
export { buildDemoData } from './demo-data.ts'
export {
  EndpointError,
  EndpointErrorCode,
  FACT_NOT_READY,
  fetchManifest,
  isFactNotReady,
  OracleEndpointClient,
} from './endpoint-client.ts'
export { ClientErrorCode, NodeClient, NodeUnreachableError } from './node-client.ts'
export { RelayRefusalCode } from './relay-codes.ts'

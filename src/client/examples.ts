/**
 * Example messages for demos, the devnet, tests and benchmarks: one football question whose
 * shape every tool knows, so examples read the same everywhere.
 */
import type { CapabilityDraft, OracleCapability } from '../protocol/index.ts'

/** Keys and overrides of an example capability. */
export interface ExampleCapabilityInit {
  oracle: { publicKey: string; scheme: OracleCapability['oracleScheme'] }
  capability: { publicKey: string; scheme: OracleCapability['capabilityScheme'] }
  endpoint?: string
}

/** The example question with its parameters and answers, for every tool's examples. */
export const EXAMPLE_QUESTION: Pick<OracleCapability, 'question' | 'params' | 'answers'> = {
  question: 'Who won the match $home vs $away on $date?',
  params: [
    { name: 'home', values: ['ARS', 'CHE'] },
    { name: 'away', values: ['ARS', 'CHE'] },
    { name: 'date', values: ['2026-11-21'] },
  ],
  answers: ['home', 'away', 'draw'],
}

/**
 * Draft of the example capability: "Who won the match $home vs $away on $date?". The
 * capability key proves its possession next (`proveCapabilityKey`), then the oracle signs.
 */
export function exampleCapability(
  init: ExampleCapabilityInit,
  overrides: Partial<CapabilityDraft> = {},
): CapabilityDraft {
  return {
    kind: 'capability',
    oracle: init.oracle.publicKey,
    oracleScheme: init.oracle.scheme,
    capabilityKey: init.capability.publicKey,
    capabilityScheme: init.capability.scheme,
    attestation: init.capability.scheme === 'bip340' ? 'schnorr' : 'signature',
    ...EXAMPLE_QUESTION,
    endpoint: init.endpoint ?? 'https://oracle.example/mega',
    tags: ['sports', 'football'],
    off: false,
    seqNo: 1,
    ...overrides,
  }
}

/**
 * Dispute: the oracle answers a `fact-missing` report with the fact it was accused of not
 * delivering. Nodes check it against the stored report and the capability key the oracle
 * advertised, never against a key the dispute carries; the fact's own signature is the proof,
 * so the dispute needs no signature or work of its own.
 */
import Type from 'typebox'
import { Hex32, strict } from './common.ts'
import { Fact } from './fact.ts'

export const Dispute = Type.Object(
  {
    kind: Type.Literal('dispute'),
    report: Hex32,
    fact: Fact,
  },
  { ...strict, $id: 'Dispute', description: 'The signed fact answering a fact-missing report' },
)
export type Dispute = Type.Static<typeof Dispute>

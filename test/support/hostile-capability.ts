/** The capability and requests of the fact source tests. */
import type { FactRequest } from '../../src/protocol/messages/index.ts'
import * as fx from './messages.ts'

// Values an attacker would love to see reach a shell. They are allowed values here on purpose,
// so they get past the endpoint's checks and reach the source.
export const HOSTILE = ['$(touch pwned)', '`touch pwned`', '; touch pwned', '--help', 'a b "c"', "it's"]
export const capability = fx.capabilityAd({
  params: [
    { name: 'x', values: HOSTILE },
    { name: 'y', values: ['1'] },
  ],
})
export const request = (x: string): FactRequest => ({
  capability: capability.capabilityKey,
  args: { x, y: '1' },
})

/** An open offer on the fixture capability that expires at `expires`, for the expiry tests. */
import { mineMessageSync } from '../../src/protocol/message-pow.ts'
import type { Offer } from '../../src/protocol/messages/index.ts'
import { type Draft, sign } from '../../src/protocol/sign.ts'
import * as fx from './messages.ts'

export function offerExpiring(expires: number, nonce: string): Offer {
  const draft: Draft<Offer> = { ...fx.offer(), seqNo: 0 }
  const { signature: _signature, pow: _pow, ...unsigned } = draft as Offer
  const terms = { ...unsigned.terms, expires, nonce }
  return mineMessageSync<Offer>(sign<Offer>({ ...unsigned, terms } as Draft<Offer>, fx.TRADER.secretKey), 8)
}

/**
 * `mega trader offer`, `offers`, `match`, `accept`, `finalize`, `settle`: binary options on fact
 * requests, found, accepted and finalized through the network as signed offer updates, and
 * settled from the facts of their requests.
 */
import { cfdCurve } from '../../../contracts/index.ts'
import {
  CURVE_POINTS,
  type FactRequest,
  LIMITS,
  type OfferCurve,
  type OfferTerms,
  type OracleCapability,
  offerStage,
  type Settlement,
} from '../../../protocol/index.ts'
import type { Trader } from '../../../trader/index.ts'
import { requestProblem } from '../../../trader/offers.ts'
import { CliError, type CliIo, type Command, integerFlag, type ParsedArgs } from '../../command.ts'
import {
  ARG_PAIR,
  argsFlag,
  hexKey,
  nodeOptions,
  postedLines,
  print,
  short,
  withKeyedTrader,
  withMining,
  withTrader,
  workOptions,
} from './common.ts'

const STAGES = ['open', 'accepted', 'finalized'] as const

function answers(value: unknown, flag: string): string[] | undefined {
  if (value === undefined) return undefined
  const list = String(value)
    .split(',')
    .map((answer) => answer.trim())
  if (list.some((answer) => answer === ''))
    throw new CliError(`--${flag} must be answers separated by commas`, 2)
  return list
}

function detailsFlag(values: ParsedArgs['values']): string | undefined {
  return typeof values.details === 'string' ? values.details : undefined
}

function amount(value: unknown, flag: string): number {
  const parsed = integerFlag(value, flag, 0, Number.MAX_SAFE_INTEGER)
  if (parsed === undefined) throw new CliError(`--${flag} is required`, 2)
  return parsed
}

function text(values: ParsedArgs['values'], flag: string): string {
  const value = values[flag]
  if (typeof value !== 'string' || value === '') throw new CliError(`--${flag} is required`, 2)
  return value
}

/** `KEY:name=value,name=value` → a request. */
function quorumRequest(flag: string): FactRequest {
  const match = /^([0-9a-f]{64}):(.*)$/.exec(flag)
  if (!match) throw new CliError(`--quorum must be <capability-key>:name=value,…, got "${flag}"`, 2)
  const args: Record<string, string> = {}
  for (const pair of match[2] === '' ? [] : match[2]!.split(',')) {
    const arg = ARG_PAIR.exec(pair)
    if (!arg) throw new CliError(`--quorum argument must be name=value, got "${pair}"`, 2)
    args[arg[1]!] = arg[2]!
  }
  return { capability: match[1]!, args }
}

/** `[capability-key:]answer=other,another` → a synonym entry, scoped to the key when given. */
function synonym(flag: string): NonNullable<OfferTerms['synonyms']>[number] {
  const match = /^(?:([0-9a-f]{64}):)?([^=]+)=(.+)$/.exec(flag)
  const synonyms = match?.[3]?.split(',').map((answer) => answer.trim()) ?? []
  if (!match || synonyms.some((answer) => answer === ''))
    throw new CliError(`--synonym must be [capability-key:]answer=other,…, got "${flag}"`, 2)
  return { answer: match[2]!.trim(), synonyms, ...(match[1] !== undefined && { capability: match[1] }) }
}

/**
 * The payout curve of `--curve V:P,…` (what we are paid at each value) or `--cfd FLOOR:CAP`
 * (long: nothing at or below FLOOR, both stakes at or above CAP; `--short` mirrors it), over
 * the numeric capability's digits; undefined without either.
 */
function curveFlags(
  values: ParsedArgs['values'],
  capability: OracleCapability,
  total: number,
): OfferCurve | undefined {
  const points = values.curve
  const cfd = values.cfd
  if (points === undefined && cfd === undefined) {
    if (values.rounding !== undefined || values.short)
      throw new CliError('--rounding and --short go with --curve or --cfd', 2)
    return undefined
  }
  if (points !== undefined && cfd !== undefined) throw new CliError('--curve or --cfd, not both', 2)
  if (capability.attestation !== 'schnorr-digits' || capability.digits === undefined)
    throw new CliError('--curve and --cfd need a numeric (schnorr-digits) capability', 2)
  const digits = capability.digits
  const rounding = integerFlag(values.rounding, 'rounding', 1, Number.MAX_SAFE_INTEGER)
  if (rounding === undefined) throw new CliError('--rounding is required with a curve', 2)
  const pair = (flag: string, text: string) => {
    const match = /^(\d+):(\d+)$/.exec(text.trim())
    if (!match) throw new CliError(`--${flag} takes VALUE:NUMBER pairs, got "${text}"`, 2)
    return [Number(match[1]), Number(match[2])] as const
  }
  if (cfd !== undefined) {
    const [floor, cap] = pair('cfd', String(cfd))
    if (!(floor < cap) || cap > 2 ** digits - 1)
      throw new CliError(`--cfd FLOOR:CAP needs FLOOR < CAP ≤ ${2 ** digits - 1}`, 2)
    const long = values.short ? 'acceptor' : 'originator'
    const curve = cfdCurve({ digits, total, floor, cap, rounding, long })
    return { digits, rounding, points: curve.points }
  }
  if (values.short) throw new CliError('--short goes with --cfd', 2)
  const list = String(points).split(',')
  if (list.length > CURVE_POINTS) throw new CliError(`--curve takes at most ${CURVE_POINTS} points`, 2)
  return {
    digits,
    rounding,
    points: list.map((point) => {
      const [value, originator] = pair('curve', point)
      return { value, originator }
    }),
  }
}

/** The originator's side in a line: its bets, or its curve's points. */
function betsText(terms: OfferTerms): string {
  if (!terms.curve) return `bets ${terms.originatorBets.join(',')}`
  const points = terms.curve.points.map((point) => `${point.value}:${point.originator}`).join(',')
  return `curve ${points} (rounding ${terms.curve.rounding})`
}

export const offerCommand: Command = {
  name: 'offer',
  summary:
    'Publish a binary option (your answers) or a payout curve (a numeric question) on a fact request (mined), the stakes, chain and contact',
  usage:
    'mega trader offer <capability-key> --arg name=value… (--bet A[,B] [--against C,D] | --curve V:P,… --rounding N | --cfd FLOOR:CAP [--short] --rounding N) --amount N --acceptor-amount N --chain NAME --contact TEXT [--expires SECONDS] [--quorum KEY:name=value,…]… [--threshold K] [--synonym [KEY:]ANSWER=OTHER,…]… [--bits N]',
  options: {
    ...nodeOptions,
    ...workOptions,
    arg: {
      type: 'string',
      multiple: true,
      description: 'request argument, repeatable',
      placeholder: 'name=value',
    },
    bet: {
      type: 'string',
      description: 'answers you win on, comma-separated (required unless a curve)',
      placeholder: 'answers',
    },
    curve: {
      type: 'string',
      description:
        'numeric capability: what you are paid at each value, linear in between, from 0 to the largest value',
      placeholder: 'V:P,…',
    },
    cfd: {
      type: 'string',
      description: 'numeric capability: long from FLOOR (nothing) to CAP (both stakes), linear between',
      placeholder: 'FLOOR:CAP',
    },
    short: { type: 'boolean', description: 'with --cfd: short instead of long' },
    rounding: {
      type: 'string',
      description: 'with a curve: payouts are multiples of N sat (at most 1000 steps in all)',
      placeholder: 'N',
    },
    against: {
      type: 'string',
      description: 'answers the acceptor wins on (default: all others)',
      placeholder: 'answers',
    },
    amount: { type: 'string', description: 'your stake (required)', placeholder: 'N' },
    'acceptor-amount': { type: 'string', description: "the acceptor's stake (required)", placeholder: 'N' },
    chain: { type: 'string', description: 'settlement chain, e.g. bitcoin (required)', placeholder: 'name' },
    contact: { type: 'string', description: 'how to reach you (required)', placeholder: 'text' },
    expires: {
      type: 'string',
      description: 'seconds from now until the offer expires (default 86400)',
      placeholder: 'S',
    },
    quorum: {
      type: 'string',
      multiple: true,
      description: 'a further request deciding too (another oracle), repeatable, at most 4',
      placeholder: 'key:name=value,…',
    },
    threshold: {
      type: 'string',
      description: 'how many of the requests must agree to settle, a majority (default all)',
      placeholder: 'K',
    },
    synonym: {
      type: 'string',
      multiple: true,
      description:
        "a capability's answers counting as one of ours (all capabilities without KEY:), repeatable",
      placeholder: '[key:]answer=other,…',
    },
  },
  examples: [
    'mega trader offer 4d4b… --arg home=ARS --arg away=CHE --arg date=2026-11-21 --bet home --amount 100000 --acceptor-amount 150000 --chain bitcoin --contact nostr:npub1…',
  ],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const capabilityKey = hexKey(key, '<capability-key>')
    const bets = answers(values.bet, 'bet')
    const curved = values.curve !== undefined || values.cfd !== undefined
    if (!bets && !curved)
      throw new CliError('--bet is required (or, on a numeric capability, --curve or --cfd)', 2)
    if (bets && curved) throw new CliError('--bet and a curve exclude each other', 2)
    const against = answers(values.against, 'against')
    const stake = amount(values.amount, 'amount')
    const acceptorAmount = amount(values['acceptor-amount'], 'acceptor-amount')
    const chain = text(values, 'chain')
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(chain))
      throw new CliError('--chain must be lowercase letters, digits and -', 2)
    const contact = text(values, 'contact')
    const expiresIn = integerFlag(values.expires, 'expires', 60, 10 * 365 * 86_400) ?? 86_400
    const args = argsFlag(values)
    const quorumFlags = (values.quorum as string[] | undefined) ?? []
    if (quorumFlags.length > LIMITS.quorum) throw new CliError(`at most ${LIMITS.quorum} --quorum`, 2)
    const quorumRequests = quorumFlags.map(quorumRequest)
    const threshold = integerFlag(values.threshold, 'threshold', 1, LIMITS.quorum + 1)
    const synonyms = ((values.synonym as string[] | undefined) ?? []).map(synonym)
    return withKeyedTrader(values, async (trader) => {
      for (const [index, request] of quorumRequests.entries()) {
        const problem = requestProblem(request, await trader.capability(request.capability))
        if (problem) throw new CliError(`--quorum ${index + 1}: ${problem}`, 2)
      }
      const capability = await trader.capability(capabilityKey)
      const curve = curveFlags(values, capability, stake + acceptorAmount)
      const {
        key: offerKey,
        offer,
        posted,
      } = await withMining(values, io, (work) =>
        trader.publishOffer(
          {
            capability,
            args,
            bets: bets ?? [],
            ...(against && { acceptorBets: against }),
            ...(curve && { curve }),
            amount: stake,
            acceptorAmount,
            chain,
            contact,
            expires: trader.now() + expiresIn,
            ...(quorumRequests.length > 0 && { quorum: quorumRequests }),
            ...(threshold !== undefined && { threshold }),
            ...(synonyms.length > 0 && { synonyms }),
          },
          work,
        ),
      )
      const { lines, ok } = postedLines(posted)
      print(io, values, { key: offerKey, offer, posted }, () => [
        `offer ${offerKey} (${offer.pow.bits} bits)`,
        ...lines,
      ])
      return ok ? 0 : 1
    })
  },
}

export const offersCommand: Command = {
  name: 'offers',
  summary: 'Your offers (as originator or acceptor) at their latest stage, sealed details opened',
  usage: 'mega trader offers [--node URL]…',
  options: { ...nodeOptions },
  examples: ['mega trader offers --json'],
  async run({ values }, io) {
    return withKeyedTrader(values, async (trader) => {
      const offers = await trader.ownOffers()
      print(io, values, { offers }, () =>
        offers.length === 0
          ? ['no offers']
          : offers.map(
              ({ key, offer, role, details }) =>
                `${key}  ${STAGES[offerStage(offer)]}  ${role}  ${betsText(offer.terms)} ${offer.terms.originatorAmount} vs ${offer.terms.curve ? '' : `${offer.terms.acceptorBets.join(',')} `}${offer.terms.acceptorAmount} ${offer.terms.chain}${offer.acceptance ? `  acceptor ${short(offer.acceptance.acceptor)} ${offer.acceptance.contact}` : ''}${details !== undefined ? `  details: ${details}` : ''}`,
            ),
      )
      return 0
    })
  },
}

export const matchCommand: Command = {
  name: 'match',
  summary: 'Offers complementary to your open offers, best first; --accept takes one',
  usage: 'mega trader match [--accept OFFER-KEY --contact TEXT [--details TEXT]] [--node URL]…',
  options: {
    ...nodeOptions,
    accept: { type: 'string', description: 'accept this matching offer', placeholder: 'key' },
    contact: {
      type: 'string',
      description: 'how the originator reaches you (with --accept)',
      placeholder: 'text',
    },
    details: {
      type: 'string',
      description: 'details sealed for the originator (with --accept)',
      placeholder: 'text',
    },
  },
  examples: [
    'mega trader match',
    'mega trader match --accept 2f40… --contact mailto:me@example.org --details "xpub …"',
  ],
  async run({ values }, io) {
    return withKeyedTrader(values, async (trader) => {
      const matches = await trader.matches()
      if (typeof values.accept === 'string') {
        const key = hexKey(values.accept, '--accept')
        if (!matches.some((match) => match.key === key))
          throw new CliError(`offer ${key} does not match any of your open offers (see mega trader match)`)
        return accept(trader, key, text(values, 'contact'), values, io)
      }
      print(io, values, { matches }, () =>
        matches.length === 0
          ? ['no complementary offers']
          : matches.map(
              (match, index) =>
                `${index + 1}. ${match.key}  odds ×${match.oddsRatio.toFixed(3)}  fills ${(match.fill * 100).toFixed(0)}%  they ${betsText(match.offer.terms)} ${match.offer.terms.originatorAmount} vs your ${match.offer.terms.acceptorAmount}  (for your ${short(match.mine)})`,
            ),
      )
      return 0
    })
  },
}

export const acceptCommand: Command = {
  name: 'accept',
  summary: "Accept another trader's open offer (a signed update, seqNo 1)",
  usage: 'mega trader accept <offer-key> --contact TEXT [--details TEXT] [--node URL]…',
  options: {
    ...nodeOptions,
    contact: {
      type: 'string',
      description: 'how the originator reaches you (required)',
      placeholder: 'text',
    },
    details: { type: 'string', description: 'details sealed for the originator', placeholder: 'text' },
  },
  examples: ['mega trader accept 2f40… --contact mailto:me@example.org'],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const offerKey = hexKey(key, '<offer-key>')
    const contact = text(values, 'contact')
    return withKeyedTrader(values, (trader) => accept(trader, offerKey, contact, values, io))
  },
}

/** Accepts the offer `key`, posts the acceptance and prints how each node took it. */
async function accept(
  trader: Trader,
  key: string,
  contact: string,
  values: ParsedArgs['values'],
  io: CliIo,
): Promise<number> {
  const { offer, posted } = await trader.accept(key, contact, detailsFlag(values))
  const { lines, ok } = postedLines(posted)
  print(io, values, { accepted: key, offer, posted }, () => [`accepted ${key}`, ...lines])
  return ok ? 0 : 1
}

export const finalizeCommand: Command = {
  name: 'finalize',
  summary: 'Finalize your accepted offer (a signed update, seqNo 2)',
  usage: 'mega trader finalize <offer-key> [--details TEXT] [--node URL]…',
  options: {
    ...nodeOptions,
    details: { type: 'string', description: 'details sealed for the acceptor', placeholder: 'text' },
  },
  examples: ['mega trader finalize 2f40… --details "funding address …"'],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const offerKey = hexKey(key, '<offer-key>')
    return withKeyedTrader(values, async (trader) => {
      const { offer, posted } = await trader.finalize(offerKey, detailsFlag(values))
      const { lines, ok } = postedLines(posted)
      print(io, values, { finalized: offerKey, offer, posted }, () => [`finalized ${offerKey}`, ...lines])
      return ok ? 0 : 1
    })
  },
}

export const settleCommand: Command = {
  name: 'settle',
  summary: 'Whether an offer is settled by the facts you hold (k of its requests agreeing) and who wins',
  usage: 'mega trader settle <offer-key> [--node URL]…',
  options: { ...nodeOptions },
  examples: ['mega trader settle 2f40…', 'mega trader settle 2f40… --json'],
  async run({ values, positionals }, io) {
    const [key, ...extra] = positionals
    if (extra.length > 0) throw new CliError(`usage: ${this.usage}`, 2)
    const offerKey = hexKey(key, '<offer-key>')
    return withTrader(values, async (trader) => {
      const { settlement } = await trader.settle(offerKey)
      print(io, values, { key: offerKey, ...settlement }, () => settlementLines(settlement))
      return settlement.status === 'settled' ? 0 : 3
    })
  },
}

/** The verdict, then one line per request, then the tally. */
function settlementLines(settlement: Settlement): string[] {
  const { status, threshold, requests, tally, outcome, winner, ignored } = settlement
  const head =
    status === 'settled'
      ? `settled: "${outcome}" (${threshold} of ${requests.length} agree), ${winner === 'void' ? 'neither side bet on it' : `the ${winner} wins`}`
      : `${status}: no outcome has ${threshold} of ${requests.length} requests${status === 'pending' ? ' yet' : ', nor can any more'}`
  return [
    head,
    ...requests.map(({ request, status: state, answers: given, outcome: mapped }) => {
      const what =
        state === 'answered'
          ? `"${given[0]}"${mapped !== given[0] ? ` → "${mapped}"` : ''}`
          : state === 'conflicting'
            ? `conflicting facts: ${given.map((answer) => `"${answer}"`).join(', ')}`
            : 'no fact'
      return `  ${short(request.capability)} ${Object.entries(request.args)
        .map(([name, value]) => `${name}=${value}`)
        .join(',')}: ${what}`
    }),
    `  tally: ${tally.map((entry) => `"${entry.outcome}" ${entry.requests}`).join(', ') || 'none'}${ignored > 0 ? `; ${ignored} facts ignored` : ''}`,
  ]
}

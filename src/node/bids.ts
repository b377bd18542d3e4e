/**
 * Bid verification (`mempool.bids`): an oracle ad's bid counts only when an external verifier
 * the operator runs — a command or an HTTP hook, e.g. a Lightning payment lookup — says what
 * its proof pays. Admission never waits on it: an ad whose bid is not verified yet counts its
 * bid as 0, the verification runs in the background (bounded concurrency and queue), and when
 * it resolves the node re-ranks the ad (`Mempool.rerankBid`). Outcomes are cached per bid.
 */
import { type BidVerifier, bidKey } from '../mempool/index.ts'
import { OracleError, runCommand } from '../oracle/index.ts'
import type { Bid } from '../protocol/index.ts'

/** The `mempool.bids` options, resolved. */
export interface BidsConfig {
  /** `none`: every bid counts 0; `command` or `http`: the verifier below decides. */
  verifier: 'none' | 'command' | 'http'
  /** Program and fixed arguments (verifier `command`). */
  command?: string[]
  /** URL POSTed to (verifier `http`). */
  url?: string
  timeoutMs: number
  /** Bids whose outcome is remembered (least recently used go first). */
  cacheSize: number
  /** How long an outcome is remembered, ms; a failed verification is retried after at most `retryMs`. */
  cacheTtlMs: number
  /** Verifications running at once. */
  concurrency: number
  /** Verifications waiting; beyond, a bid stays unverified (0) until its ad comes again. */
  queueSize: number
}

export const defaultBidsConfig: BidsConfig = {
  verifier: 'none',
  timeoutMs: 5_000,
  cacheSize: 10_000,
  cacheTtlMs: 3_600_000,
  concurrency: 4,
  queueSize: 1_000,
}

/** A verifier failure (timeout, crash, unreadable answer) is retried after this long at most. */
const RETRY_MS = 30_000

/** Asks the verifier what `bid` pays for `oracle`; rejects when it cannot tell. */
export type BidCheck = (bid: Bid, oracle: string) => Promise<bigint>

/** Counters of the verifications, for logs and tests. */
export interface BidStats {
  verified: number
  refused: number
  failed: number
  dropped: number
}

interface Remembered {
  amount: bigint
  until: number
}

/**
 * The cache and the background queue in front of a {@link BidCheck}. `verify` (the mempool's
 * synchronous view) answers from the cache; `request` schedules a verification of an admitted
 * ad's bid; `onResolved` runs when one finished, so the node re-ranks the ad.
 */
export class BidVerifications implements BidVerifier {
  readonly stats: BidStats = { verified: 0, refused: 0, failed: 0, dropped: 0 }
  readonly #check: BidCheck
  readonly #config: BidsConfig
  readonly #onResolved: (oracle: string, bid: Bid) => void
  readonly #onFailure: ((oracle: string, error: unknown) => void) | undefined
  readonly #now: () => number
  /** Insertion-ordered: the first entry is the least recently used. */
  readonly #cache = new Map<string, Remembered>()
  readonly #pending = new Set<string>()
  readonly #queue: { key: string; bid: Bid; oracle: string }[] = []
  #running = 0

  constructor(init: {
    check: BidCheck
    config: BidsConfig
    onResolved: (oracle: string, bid: Bid) => void
    /** A verification failed (counted 0, retried later): for the operator's logs. */
    onFailure?: (oracle: string, error: unknown) => void
    /** Milliseconds. @default Date.now */
    now?: () => number
  }) {
    this.#check = init.check
    this.#config = init.config
    this.#onResolved = init.onResolved
    this.#onFailure = init.onFailure
    this.#now = init.now ?? Date.now
  }

  /** The amount the bid was last verified to pay, while remembered; 0 otherwise. */
  verify(bid: Bid, oracle: string): bigint {
    const key = bidKey(bid, oracle)
    const remembered = this.#cache.get(key)
    if (!remembered) return 0n
    if (remembered.until <= this.#now()) {
      this.#cache.delete(key)
      return 0n
    }
    this.#cache.delete(key)
    this.#cache.set(key, remembered)
    return remembered.amount
  }

  /** Schedules a verification of the bid unless remembered, running or the queue is full. */
  request(bid: Bid, oracle: string): void {
    const key = bidKey(bid, oracle)
    const remembered = this.#cache.get(key)
    if ((remembered && remembered.until > this.#now()) || this.#pending.has(key)) return
    if (this.#queue.length >= this.#config.queueSize) {
      this.stats.dropped++
      return
    }
    this.#pending.add(key)
    this.#queue.push({ key, bid, oracle })
    this.#pump()
  }

  /** Verifications queued or running. */
  get backlog(): number {
    return this.#pending.size
  }

  /** Drops the waiting verifications (the node stops); running ones finish. */
  stop(): void {
    for (const { key } of this.#queue.splice(0)) this.#pending.delete(key)
  }

  #pump(): void {
    while (this.#running < this.#config.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!
      this.#running++
      void this.#run(job.key, job.bid, job.oracle).finally(() => {
        this.#running--
        this.#pending.delete(job.key)
        this.#pump()
      })
    }
  }

  async #run(key: string, bid: Bid, oracle: string): Promise<void> {
    let amount = 0n
    let ttl = this.#config.cacheTtlMs
    try {
      const proven = await this.#check(bid, oracle)
      // A verifier cannot raise a bid above what the signed ad offers.
      amount = proven < 0n ? 0n : proven > BigInt(bid.amount) ? BigInt(bid.amount) : proven
      if (amount > 0n) this.stats.verified++
      else this.stats.refused++
    } catch (error) {
      this.stats.failed++
      ttl = Math.min(ttl, RETRY_MS)
      this.#onFailure?.(oracle, error)
    }
    this.#remember(key, { amount, until: this.#now() + ttl })
    this.#onResolved(oracle, bid)
  }

  #remember(key: string, remembered: Remembered): void {
    this.#cache.delete(key)
    this.#cache.set(key, remembered)
    while (this.#cache.size > this.#config.cacheSize) this.#cache.delete(this.#cache.keys().next().value!)
  }
}

/**
 * The check a configuration names. `command`: run with `oracle=<key>`, `amount=<n>`,
 * `paymentType=<type>` and `proof=<proof>` as argv entries (never through a shell); exit code 0
 * means paid, for the amount on the first line of stdout (a decimal integer) or, when it prints
 * nothing, the bid's amount; any other exit code means not paid. `http`: POST
 * `{"oracle", "bid": {amount, paymentType, proof}}` as JSON; a 200 answer `{"amount": n}` (an
 * integer or a decimal string) says what it pays, any other status means not paid.
 */
export function bidCheckOf(config: BidsConfig): BidCheck | undefined {
  switch (config.verifier) {
    case 'none':
      return undefined
    case 'command': {
      const command = config.command!
      return async (bid, oracle) => {
        let printed: string | undefined
        try {
          printed = await runCommand({ command, timeoutMs: config.timeoutMs }, argvOf(bid, oracle))
        } catch (error) {
          // A non-zero exit is the verifier's "not paid"; a timeout or a crash is a failure.
          if (error instanceof OracleError && typeof error.details.exitCode === 'number') return 0n
          throw error
        }
        return printed === undefined ? BigInt(bid.amount) : amountOf(printed)
      }
    }
    case 'http': {
      const url = config.url!
      return async (bid, oracle) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ oracle, bid }),
          signal: AbortSignal.timeout(config.timeoutMs),
          redirect: 'error',
        })
        if (response.status !== 200) {
          await response.body?.cancel()
          return 0n
        }
        const text = await response.text()
        if (text.length > 4096) throw new Error('the bid verifier answered more than 4096 bytes')
        return amountOf((JSON.parse(text) as { amount?: unknown } | null)?.amount)
      }
    }
  }
}

function argvOf(bid: Bid, oracle: string): string[] {
  return [`oracle=${oracle}`, `amount=${bid.amount}`, `paymentType=${bid.paymentType}`, `proof=${bid.proof}`]
}

/** A verifier's amount: a non-negative integer, as a JSON number or a decimal string. */
function amountOf(value: unknown): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text !== 'string' || !/^[0-9]{1,30}$/.test(text))
    throw new Error(`the bid verifier's amount must be a non-negative integer, got ${JSON.stringify(value)}`)
  return BigInt(text)
}

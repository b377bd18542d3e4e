/**
 * Contracts in the trader toolkit: the steps of `src/contracts` tied to the trader's key, store
 * and oracle endpoints, with each contract kept as a JSON file in `<dataDir>/contracts/<id>.json`
 * (its messages and role; the funding key is derived again from the trader key when needed).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  accept,
  type ContractAccept,
  ContractError,
  ContractErrorCode,
  type ContractOffer,
  type ContractRecord,
  type ContractSign,
  commitmentsOf,
  type Equivocation,
  equivocation,
  factOfContract,
  finalize,
  isContractError,
  type Network,
  propose,
  refund,
  type Settlement,
  settle,
  sign,
} from '../contracts/index.ts'
import {
  type Commitment,
  canonicalize,
  type Fact,
  type OracleCapability,
  offerRequests,
  offerStage,
} from '../protocol/index.ts'
import { detectEquivocations } from './detect.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import { isNotYet, type NotYet } from './facts.ts'
import type { Posted, Trader, WorkOptions } from './trader.ts'

/** Directory of the contract files of a data directory. */
function contractsDir(dataDir: string): string {
  return join(dataDir, 'contracts')
}

function contractPath(dataDir: string, id: string): string {
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new ContractError(
      ContractErrorCode.MESSAGE_INVALID,
      `contract id must be 64 hex digits, got ${JSON.stringify(id.slice(0, 80))}`,
    )
  return join(contractsDir(dataDir), `${id}.json`)
}

/** Writes a contract file atomically (0600: it names the trader's coins and addresses). */
function saveContract(dataDir: string, record: ContractRecord): void {
  mkdirSync(contractsDir(dataDir), { recursive: true, mode: 0o700 })
  const path = contractPath(dataDir, record.id)
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

/** Loads a contract by id (or a unique prefix of at least 8 hex digits); throws `NOT_FOUND`. */
export function loadContract(dataDir: string, id: string): ContractRecord {
  const ids = listContractIds(dataDir).filter((candidate) => id.length >= 8 && candidate.startsWith(id))
  if (ids.length !== 1) {
    throw new TraderError(
      TraderErrorCode.NOT_FOUND,
      ids.length === 0 ? `no contract ${id} in ${contractsDir(dataDir)}` : `contract id ${id} is ambiguous`,
    )
  }
  return JSON.parse(readFileSync(contractPath(dataDir, ids[0]!), 'utf8')) as ContractRecord
}

/** Ids of the contracts kept in `dataDir`. */
export function listContractIds(dataDir: string): string[] {
  const dir = contractsDir(dataDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => /^[0-9a-f]{64}\.json$/.test(name))
    .map((name) => name.slice(0, 64))
}

/** What the trader brings to a contract from its wallet. */
export interface WalletSide {
  /** PSBT (base64) whose inputs are the coins to fund with. */
  walletPsbt: string
  payoutAddress: string
  changeAddress: string
}

/**
 * Originator: proposes the contract of our finalized offer `offerKey`, with the oracle's
 * commitment for its question fetched (and verified, stored) from the capability's endpoint.
 */
export async function proposeContract(
  trader: Trader,
  offerKey: string,
  side: WalletSide & { feeRate: number; refundLocktime?: number; network?: Network },
): Promise<{ record: ContractRecord; message: ContractOffer }> {
  const offer = (await trader.ownOffers()).find((own) => own.key === offerKey)?.offer
  if (!offer) throw new TraderError(TraderErrorCode.NOT_FOUND, `offer ${offerKey} is not one of ours`)
  if (offerStage(offer) !== 2) {
    throw new TraderError(
      TraderErrorCode.OFFER_STATE,
      `offer ${offerKey} is not finalized: run \`mega trader finalize\` first`,
    )
  }
  // One commitment per request: the question's oracle, and each oracle of a quorum.
  const capabilities: OracleCapability[] = []
  const commitments: Commitment[] = []
  for (const request of offerRequests(offer.terms)) {
    const asked = await trader.ask(request.capability, request.args, 0)
    capabilities.push(asked.capability)
    commitments.push(asked.commitment)
  }
  const record = propose({
    ...side,
    trader: trader.key,
    offer,
    capability: capabilities[0]!,
    ...(offer.terms.quorum?.length ? { capabilities, commitments } : { commitment: commitments[0]! }),
  })
  saveContract(trader.dataDir, record)
  return { record, message: record.proposal }
}

/** Acceptor: checks a proposal against our acceptance and the capability, signs, keeps it. */
export async function acceptContract(
  trader: Trader,
  proposal: ContractOffer,
  side: WalletSide & { maxFeeRate?: number; maxRefundDelay?: number },
): Promise<{ record: ContractRecord; message: ContractAccept }> {
  const { capability, capabilities } = await capabilitiesOf(trader, proposal)
  const result = accept({
    ...side,
    proposal,
    capability,
    ...(capabilities && { capabilities }),
    trader: trader.key,
  })
  // Our own copies of the commitments: `fetchFact` asks each endpoint for its fact at settlement.
  for (const [j, commitment] of commitmentsOf(proposal).entries())
    trader.store.put(commitment, { own: true, origin: (capabilities?.[j] ?? capability).endpoint })
  saveContract(trader.dataDir, result.record)
  return { record: result.record, message: result.accept }
}

/** Originator: checks the accept; returns the funding PSBT for the wallet, or the sign message. */
export async function signContract(
  trader: Trader,
  message: ContractAccept,
  walletSignedPsbt?: string,
): Promise<{ fundingPsbt: string } | { record: ContractRecord; message: ContractSign }> {
  const record = loadContract(trader.dataDir, message.contractId)
  const { capability, capabilities } = await capabilitiesOf(trader, record.proposal)
  const result = sign({
    record,
    accept: message,
    capability,
    ...(capabilities && { capabilities }),
    trader: trader.key,
    ...(walletSignedPsbt !== undefined && { walletSignedPsbt }),
  })
  if (!('sign' in result)) return result
  saveContract(trader.dataDir, result.record)
  return { record: result.record, message: result.sign }
}

/** Acceptor: checks the sign message; returns the funding PSBT for the wallet, or the funding transaction. */
export async function finalizeContract(
  trader: Trader,
  message: ContractSign,
  walletSignedPsbt?: string,
): Promise<{ fundingPsbt: string } | { record: ContractRecord; fundingTx: string }> {
  const record = loadContract(trader.dataDir, message.contractId)
  const { capability, capabilities } = await capabilitiesOf(trader, record.proposal)
  const result = finalize({
    record,
    sign: message,
    capability,
    ...(capabilities && { capabilities }),
    ...(walletSignedPsbt !== undefined && { walletSignedPsbt }),
  })
  if (!('fundingTx' in result)) return result
  saveContract(trader.dataDir, result.record)
  return result
}

/**
 * The capability of the question and, for a quorum contract, of every request in request order
 * (from the store, else the nodes): both sides derive the CETs and combinations from them.
 */
async function capabilitiesOf(
  trader: Trader,
  proposal: ContractOffer,
): Promise<{ capability: OracleCapability; capabilities?: OracleCapability[] }> {
  const capabilities: OracleCapability[] = []
  for (const commitment of commitmentsOf(proposal))
    capabilities.push(await trader.capability(commitment.request.capability))
  if (capabilities.length === 0)
    throw new ContractError(ContractErrorCode.MESSAGE_INVALID, 'the proposal has no commitment')
  return proposal.commitments
    ? { capability: capabilities[0]!, capabilities }
    : { capability: capabilities[0]! }
}

/** The facts the store holds for a contract's requests. */
function storedFacts(trader: Trader, record: ContractRecord): Fact[] {
  const requests = new Set(
    commitmentsOf(record.proposal).map((commitment) => canonicalize(commitment.request)),
  )
  return trader.store
    .list('fact')
    .map((stored) => stored.message)
    .filter((fact) => requests.has(canonicalize(fact.request)))
}

/**
 * Settles with the oracle's fact: the given one, else fetched from the capability's endpoint
 * (polling up to `waitSeconds`). Also checks every fact held for the request: an oracle that
 * attested two answers is returned in `equivocation` with the CETs the counterparty can now
 * publish, and with `report` the `fact-conflict` report is filed (signed, mined, posted) unless
 * one is held already.
 */
export async function settleContract(
  trader: Trader,
  id: string,
  options: { fact?: Fact; facts?: Fact[]; waitSeconds?: number; report?: WorkOptions } = {},
): Promise<Settled> {
  const record = loadContract(trader.dataDir, id)
  if (record.proposal.commitments) return settleQuorumContract(trader, record, options)
  let fact = options.fact ?? options.facts?.[0]
  if (fact) trader.store.put(fact, { own: true, origin: 'import' })
  else {
    const commitment = record.proposal.commitment
    const { id: commitmentId } = trader.store.put(commitment, { own: true, origin: 'contract' })
    const fetched = await trader.fetchFact(commitmentId, options.waitSeconds ?? 0)
    if (isNotYet(fetched)) return { notYet: fetched }
    fact = fetched
  }
  const twoAnswers = equivocation(record, storedFacts(trader, record))
  const settlement = settle({ record, fact, trader: trader.key })
  if (!twoAnswers) return { settlement }
  const reported = options.report ? await reportEquivocation(trader, record, options.report) : undefined
  return { settlement, equivocation: twoAnswers, ...(reported && { reported }) }
}

/**
 * Files the verified `fact-conflict` reports detection proposes against the contract's
 * capability (none when one is held already); returns each report filed with what every node
 * answered, so a caller can tell a report the nodes took from one they refused.
 */
async function reportEquivocation(
  trader: Trader,
  record: ContractRecord,
  work: WorkOptions,
  /** The capability key of the oracle that equivocated (a quorum contract). */
  equivocal?: string,
): Promise<FiledReport[]> {
  const capability = equivocal ?? commitmentsOf(record.proposal)[0]!.request.capability
  const proposals = detectEquivocations(trader.store, capability, trader.now())
  const filed: FiledReport[] = []
  for (const proposal of proposals) {
    const { id, posted } = await trader.fileReport(proposal.oracle, proposal.content, work)
    filed.push({ id, posted })
  }
  return filed
}

/** A `fact-conflict` report filed while settling, and each node's answer to it. */
export interface FiledReport {
  id: string
  posted: Posted[]
}

/** What settling returns: the signed CET, or why not yet; an equivocating oracle when found. */
export interface Settled {
  settlement?: Settlement
  notYet?: NotYet
  /** A quorum contract whose facts, all in, have no k requests agreeing: the refund settles it. */
  noQuorum?: ContractError
  equivocation?: Equivocation
  reported?: FiledReport[]
}

/**
 * Settles a quorum contract: the given facts, else each request's fact fetched from its oracle's
 * endpoint, polled every half second up to `waitSeconds` until k of them agree (an oracle that
 * does not answer, or answers another outcome, does not hold up the others). Checks every fact
 * held for equivocation as {@link settleContract} does.
 */
async function settleQuorumContract(
  trader: Trader,
  record: ContractRecord,
  options: { fact?: Fact; facts?: Fact[]; waitSeconds?: number; report?: WorkOptions },
): Promise<Settled> {
  const { capabilities } = await capabilitiesOf(trader, record.proposal)
  const given = options.facts ?? (options.fact ? [options.fact] : [])
  for (const fact of given) trader.store.put(fact, { own: true, origin: 'import' })
  const commitmentIds = commitmentsOf(record.proposal).map(
    (commitment) => trader.store.put(commitment, { own: true, origin: 'contract' }).id,
  )
  const fetched = new Map<number, Fact>()
  const until = Date.now() + (options.waitSeconds ?? 0) * 1000
  for (;;) {
    let notYet: NotYet | undefined
    if (given.length === 0) {
      for (const [j, commitmentId] of commitmentIds.entries()) {
        if (fetched.has(j)) continue
        try {
          const fact = await trader.fetchFact(commitmentId, 0)
          if (isNotYet(fact)) notYet ??= fact
          else fetched.set(j, fact)
        } catch (error) {
          // One oracle out of reach does not stop the k others.
          notYet ??= { status: 0, detail: (error as Error).message }
        }
      }
    }
    const held = storedFacts(trader, record).filter((fact) => factOfContract(record, fact))
    // Facts given are the ones to settle with; else those fetched and any held.
    const facts = given.length > 0 ? given : [...fetched.values(), ...held]
    let settlement: Settlement | undefined
    try {
      settlement = settle({ record, facts, capabilities: capabilities!, trader: trader.key })
    } catch (error) {
      if (!isContractError(error, ContractErrorCode.NO_QUORUM)) throw error
      const waiting = given.length === 0 && notYet !== undefined
      if (waiting && Date.now() < until) {
        await new Promise((done) => setTimeout(done, 500))
        continue
      }
      // Nothing settles (yet): an equivocating oracle is still reported, and may be the reason.
      const twoAnswers = equivocation(record, held, capabilities)
      if (!twoAnswers) return waiting ? { notYet: notYet! } : { noQuorum: error }
      const reported = options.report
        ? await reportEquivocation(trader, record, options.report, twoAnswers.capability)
        : undefined
      return {
        ...(waiting ? { notYet: notYet! } : { noQuorum: error }),
        equivocation: twoAnswers,
        ...(reported && { reported }),
      }
    }
    const twoAnswers = equivocation(record, held, capabilities)
    if (!twoAnswers) return { settlement }
    const reported = options.report
      ? await reportEquivocation(trader, record, options.report, twoAnswers.capability)
      : undefined
    return { settlement, equivocation: twoAnswers, ...(reported && { reported }) }
  }
}

/** The signed refund; throws `CONTRACT_REFUND_TOO_EARLY` before its locktime. */
export function refundContract(trader: Trader, id: string): Settlement {
  return refund({ record: loadContract(trader.dataDir, id), trader: trader.key, now: trader.now() })
}

/**
 * Posts a raw transaction (hex) to an Esplora-compatible API (`POST <url>/tx`, body the hex);
 * returns the txid it answers. Throws `CONTRACT_BROADCAST_FAILED` with the API's reason.
 */
export async function broadcast(url: string, hex: string, fetch = globalThis.fetch): Promise<string> {
  const endpoint = `${url.replace(/\/+$/, '')}/tx`
  let response: Response
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      body: hex,
      headers: { 'content-type': 'text/plain' },
      signal: AbortSignal.timeout(20_000),
    })
  } catch (error) {
    throw new ContractError(ContractErrorCode.BROADCAST_FAILED, `${endpoint}: ${(error as Error).message}`, {
      url: endpoint,
    })
  }
  const text = (await response.text()).slice(0, 1000).trim()
  if (!response.ok) {
    throw new ContractError(
      ContractErrorCode.BROADCAST_FAILED,
      `${endpoint} refused the transaction (${response.status}): ${text}`,
      {
        url: endpoint,
        status: response.status,
      },
    )
  }
  return text
}

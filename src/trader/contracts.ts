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
  type Equivocation,
  equivocation,
  finalize,
  type Network,
  propose,
  refund,
  type Settlement,
  settle,
  sign,
} from '../contracts/index.ts'
import { canonicalize, type Fact, offerStage } from '../protocol/index.ts'
import { detectEquivocations } from './detect.ts'
import { TraderError, TraderErrorCode } from './errors.ts'
import { isNotYet, type NotYet } from './facts.ts'
import type { Trader, WorkOptions } from './trader.ts'

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
  const { question } = offer.terms
  const { capability, commitment } = await trader.ask(question.capability, question.args, 0)
  const record = propose({ ...side, trader: trader.key, offer, capability, commitment })
  saveContract(trader.dataDir, record)
  return { record, message: record.proposal }
}

/** Acceptor: checks a proposal against our acceptance and the capability, signs, keeps it. */
export async function acceptContract(
  trader: Trader,
  proposal: ContractOffer,
  side: WalletSide & { maxFeeRate?: number; maxRefundDelay?: number },
): Promise<{ record: ContractRecord; message: ContractAccept }> {
  const capability = await trader.capability(proposal.commitment.request.capability)
  const result = accept({ ...side, proposal, capability, trader: trader.key })
  // Our own copy of the commitment: `fetchFact` asks the endpoint for its fact at settlement.
  trader.store.put(proposal.commitment, { own: true, origin: capability.endpoint })
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
  const capability = await trader.capability(record.proposal.commitment.request.capability)
  const result = sign({
    record,
    accept: message,
    capability,
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
  const capability = await trader.capability(record.proposal.commitment.request.capability)
  const result = finalize({
    record,
    sign: message,
    capability,
    ...(walletSignedPsbt !== undefined && { walletSignedPsbt }),
  })
  if (!('fundingTx' in result)) return result
  saveContract(trader.dataDir, result.record)
  return result
}

/** The facts the store holds for a contract's request. */
function storedFacts(trader: Trader, record: ContractRecord): Fact[] {
  const request = canonicalize(record.proposal.commitment.request)
  return trader.store
    .list('fact')
    .map((stored) => stored.message)
    .filter((fact) => canonicalize(fact.request) === request)
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
  options: { fact?: Fact; waitSeconds?: number; report?: WorkOptions } = {},
): Promise<{ settlement?: Settlement; notYet?: NotYet; equivocation?: Equivocation; reported?: string[] }> {
  const record = loadContract(trader.dataDir, id)
  let fact = options.fact
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
 * capability (none when one is held already); returns the ids of the reports filed.
 */
async function reportEquivocation(
  trader: Trader,
  record: ContractRecord,
  work: WorkOptions,
): Promise<string[]> {
  const capability = record.proposal.commitment.request.capability
  const proposals = detectEquivocations(trader.store, capability, trader.now())
  const filed: string[] = []
  for (const proposal of proposals)
    filed.push((await trader.fileReport(proposal.oracle, proposal.content, work)).id)
  return filed
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

/**
 * The browser trader (served by every node at `/trader`, or as a static bundle): keys, oracles
 * ranked under the trader's own policy, facts asked and verified, reports mined in Web Workers,
 * offers — every check and every signature in this page.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { MiningProgress } from '../miner/scheduler.ts'
import { verifyAttestation } from '../protocol/attestation.ts'
import { ErrorCode } from '../protocol/errors.ts'
import type { Commitment, Fact, Offer } from '../protocol/messages/index.ts'
import { workToBits } from '../protocol/score.ts'
import type { ReportProposal } from '../trader/detect.ts'
import { isNotYet } from '../trader/facts.ts'
import { defaultPolicy, parsePolicy, type RankedOracle } from '../trader/policy.ts'
import { freeForm } from '../trader/reports.ts'
import {
  createTraderKey,
  decryptKey,
  encryptKey,
  parseSealedKey,
  type SealedKey,
  traderKeyFromSecret,
} from './keystore.ts'
import { mineInWorkers } from './miner.ts'
import { TraderSession } from './session.ts'
import { deleteSealedKey, loadSealedKey, saveSealedKey } from './storage.ts'
import { checkVectorFile, type VectorOutcome } from './vectors.ts'

const NODES_SETTING = 'mega-trader-nodes'

/**
 * The nodes: `?node=` in the URL (repeatable, remembered), else the last ones used, else the
 * origin that served the page.
 */
function nodeUrls(): string[] {
  const given = new URLSearchParams(location.search).getAll('node')
  if (given.length > 0) {
    localStorage.setItem(NODES_SETTING, JSON.stringify(given))
    return given
  }
  try {
    const kept = JSON.parse(localStorage.getItem(NODES_SETTING) ?? '[]') as unknown
    if (Array.isArray(kept) && kept.length > 0 && kept.every((url) => typeof url === 'string')) return kept
  } catch {
    // a damaged setting: fall back to the origin
  }
  return [location.origin]
}

/** `?clock-skew=S`: the nodes' `mempool.clockSkewSeconds`, when they do not use the default. */
function clockSkew(): number | undefined {
  const given = new URLSearchParams(location.search).get('clock-skew')
  return given !== null && /^\d{1,5}$/.test(given) ? Number(given) : undefined
}

const session = new TraderSession(nodeUrls(), new URL('miner.js', import.meta.url), clockSkew())

/** How many bits of proof of work to mine for a message. */
function WorkInput({ id, bits, setBits }: { id: string; bits: number; setBits: (bits: number) => void }) {
  return (
    <label>
      Work{' '}
      <input
        id={id}
        type="number"
        min={0}
        max={40}
        value={bits}
        onInput={(e) => setBits(Number(e.currentTarget.value))}
      />{' '}
      bits
    </label>
  )
}

function short(hex: string): string {
  return `${hex.slice(0, 12)}…`
}

function message(error: unknown): string {
  const coded = error as { code?: string; message?: string }
  return coded.code ? `${coded.message} [${coded.code}]` : String(coded.message ?? error)
}

/** Runs `work`, showing its error; returns a runner and the last error/notice. */
function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
    } catch (caught) {
      setError(message(caught))
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}

function ErrorLine({ text }: { text: string | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null
}

// ── keys ──

function Keys({ onChange }: { onChange: () => void }) {
  const [sealed, setSealed] = useState<SealedKey | undefined | null>(null)
  const [scheme, setScheme] = useState<'bip340' | 'ed25519'>('bip340')
  const [passphrase, setPassphrase] = useState('')
  const [secret, setSecret] = useState('')
  const [backup, setBackup] = useState('')
  const { busy, error, run } = useAction()
  useEffect(() => {
    void loadSealedKey().then((found) => setSealed(found))
  }, [])
  const keep = async (key: ReturnType<typeof createTraderKey>) => {
    const record = await encryptKey(key, passphrase)
    await saveSealedKey(record)
    session.key = key
    setSealed(record)
    setPassphrase('')
    onChange()
  }
  if (sealed === null) return <p>Opening the key store…</p>
  if (session.key)
    return (
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your key</h2>
        <p>
          Unlocked: <code id="public-key">{session.key.publicKey}</code> ({session.key.scheme}). It is kept
          encrypted in this browser; nothing secret is sent anywhere.
        </p>
        <button
          type="button"
          onClick={() => {
            const blob = new Blob([JSON.stringify(sealed, null, 2)], { type: 'application/json' })
            const link = document.createElement('a')
            link.href = URL.createObjectURL(blob)
            link.download = `mega-trader-key-${session.key!.publicKey.slice(0, 8)}.json`
            link.click()
          }}
        >
          Export encrypted backup
        </button>{' '}
        <button
          type="button"
          onClick={() => {
            session.key = undefined
            onChange()
          }}
        >
          Lock
        </button>
      </section>
    )
  if (sealed)
    return (
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Unlock your key</h2>
        <p>
          Key <code>{short(sealed.publicKey)}</code> ({sealed.scheme}) is stored encrypted in this browser.
        </p>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              session.key = await decryptKey(sealed, passphrase)
              setPassphrase('')
              onChange()
            })
          }}
        >
          <label>
            Passphrase{' '}
            <input
              id="unlock-passphrase"
              type="password"
              value={passphrase}
              onInput={(e) => setPassphrase(e.currentTarget.value)}
            />
          </label>{' '}
          <button type="submit" disabled={busy}>
            Unlock
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              void run(async () => {
                if (!confirm('Forget the stored key? Without a backup it is gone.')) return
                await deleteSealedKey()
                setSealed(undefined)
              })
            }
          >
            Forget this key
          </button>
        </form>
        <ErrorLine text={error} />
      </section>
    )
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">Create or import a key</h2>
      <p>The key is encrypted under your passphrase (PBKDF2 + AES-GCM) and kept in this browser only.</p>
      <label>
        Passphrase{' '}
        <input
          id="new-passphrase"
          type="password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      <fieldset>
        <legend>New key</legend>
        <label>
          Scheme{' '}
          <select id="scheme" value={scheme} onChange={(e) => setScheme(e.currentTarget.value as 'bip340')}>
            <option value="bip340">bip340</option>
            <option value="ed25519">ed25519</option>
          </select>
        </label>{' '}
        <button
          type="button"
          id="create-key"
          disabled={busy}
          onClick={() => void run(() => keep(createTraderKey(scheme)))}
        >
          Create key
        </button>
      </fieldset>
      <fieldset>
        <legend>Import</legend>
        <label>
          Secret key (hex){' '}
          <input id="import-secret" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>{' '}
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => keep(traderKeyFromSecret(scheme, secret)))}
        >
          Import secret
        </button>
        <br />
        <label>
          Encrypted backup (JSON){' '}
          <textarea id="import-backup" value={backup} onInput={(e) => setBackup(e.currentTarget.value)} />
        </label>{' '}
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const record = parseSealedKey(JSON.parse(backup))
              session.key = await decryptKey(record, passphrase)
              await saveSealedKey(record)
              setSealed(record)
              onChange()
            })
          }
        >
          Import backup
        </button>
      </fieldset>
      <ErrorLine text={error} />
    </section>
  )
}

// ── find ──

function Oracles({ version, onChange }: { version: number; onChange: () => void }) {
  const [policyText, setPolicyText] = useState(JSON.stringify(defaultPolicy, null, 1))
  const [rejected, setRejected] = useState<{ source: string; reason: string }[]>([])
  const { busy, error, run } = useAction()
  let ranked: RankedOracle[] = []
  let policyError: string | undefined
  try {
    ranked = session.rank(parsePolicy(policyText))
  } catch (caught) {
    policyError = message(caught)
  }
  void version
  return (
    <section aria-labelledby="find-heading">
      <h2 id="find-heading">Oracles, ranked under your policy</h2>
      <button
        type="button"
        id="refresh-oracles"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            const result = await session.refreshOracles()
            setRejected(result.rejected)
            onChange()
          })
        }
      >
        Fetch from the node and check
      </button>
      <ErrorLine text={error} />
      {rejected.length > 0 && (
        <div role="status" id="rejected">
          <p>Refused (failed the checks):</p>
          <ul>
            {rejected.map((r) => (
              <li key={r.source + r.reason}>{r.reason}</li>
            ))}
          </ul>
        </div>
      )}
      <details>
        <summary>Reputation policy</summary>
        <label>
          Policy (JSON){' '}
          <textarea
            id="policy"
            rows={8}
            value={policyText}
            onInput={(e) => setPolicyText(e.currentTarget.value)}
          />
        </label>
      </details>
      <ErrorLine text={policyError} />
      <ol id="ranking">
        {ranked.map((oracle) => (
          <li key={oracle.key} data-key={oracle.key}>
            <code>{short(oracle.key)}</code> score{' '}
            <span class="score">{workToBits(oracle.score).toFixed(2)}</span> bits, strength{' '}
            {workToBits(oracle.strength).toFixed(2)} bits {oracle.tags.join(', ')}
            {oracle.excluded && <em> — hidden: {oracle.excluded}</em>}
            <ul>
              <li>
                identity {oracle.identityBits} bits
                {oracle.capabilityBits.length > 0 &&
                  `, capabilities ${oracle.capabilityBits.join(' + ')} bits`}
              </li>
              {oracle.reports.map((report) => (
                <li key={report.id} class="report">
                  {report.counts ? 'counts' : 'does not count'} −{report.bits} bits {report.type} (
                  {report.verdict}){report.reason && `: ${report.reason}`}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  )
}

// ── ask ──

function Ask({ version, onChange }: { version: number; onChange: () => void }) {
  const capabilities = session.capabilities()
  const [selected, setSelected] = useState('')
  const [args, setArgs] = useState<Record<string, string>>({})
  const [shown, setShown] = useState<string>()
  const { busy, error, run } = useAction()
  const capability = capabilities.find((c) => c.capabilityKey === selected) ?? capabilities[0]
  void version
  const asked = session.asked()
  return (
    <section aria-labelledby="ask-heading">
      <h2 id="ask-heading">Ask an oracle and verify</h2>
      {capabilities.length === 0 ? (
        <p>No capability held yet: fetch the oracles first.</p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            if (!capability) return
            const filled = Object.fromEntries(
              capability.params.map((p) => [p.name, args[p.name] ?? p.values[0]!]),
            )
            void run(async () => {
              const result = await session.ask(capability.capabilityKey, filled)
              setShown(isNotYet(result.fact) ? `not answered yet: ${result.fact.detail}` : undefined)
              onChange()
            })
          }}
        >
          <label>
            Capability{' '}
            <select
              id="capability"
              value={capability?.capabilityKey}
              onChange={(e) => setSelected(e.currentTarget.value)}
            >
              {capabilities.map((c) => (
                <option key={c.capabilityKey} value={c.capabilityKey}>
                  {c.question} ({short(c.capabilityKey)}, {c.attestation})
                </option>
              ))}
            </select>
          </label>
          {capability?.params.map((param) => (
            <label key={param.name}>
              {' '}
              {param.name}{' '}
              <select
                name={param.name}
                value={args[param.name] ?? param.values[0]}
                onChange={(e) => setArgs({ ...args, [param.name]: e.currentTarget.value })}
              >
                {param.values.map((value) => (
                  <option key={value}>{value}</option>
                ))}
              </select>
            </label>
          ))}{' '}
          <button type="submit" id="ask" disabled={busy}>
            Ask the oracle's endpoint
          </button>
        </form>
      )}
      <ErrorLine text={error} />
      {shown && <p role="status">{shown}</p>}
      <ul id="asked">
        {asked.map(({ id, commitment, facts }) => (
          <li key={id}>
            Commitment <code>{short(id)}</code> ({commitment.attestation.type}, deadline{' '}
            {new Date(commitment.deadline * 1000).toISOString()}){' '}
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  const fact = await session.fetchFact(id)
                  setShown(isNotYet(fact) ? `not answered yet: ${fact.detail}` : undefined)
                  onChange()
                })
              }
            >
              Ask for the fact again
            </button>
            <ul>
              {facts.map((fact) => (
                <li key={fact.signature} class="fact">
                  answer <strong>{fact.answer}</strong>: {proofOf(commitment, fact)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * The proof a fact carries, checked again here (protocol `verifyAttestation`: signature by the
 * committed key, the committed Schnorr nonce or hash lock) — a fact loaded from IndexedDB is
 * shown as verified only if it still is.
 */
function proofOf(commitment: Commitment, fact: Fact): string {
  const kept = verifyAttestation(commitment, fact)
  if (!kept.ok) return `does not keep the commitment: ${kept.error.message} [${kept.error.code}]`
  const attestation = commitment.attestation
  if (attestation.type === 'schnorr')
    return `verified — the signature's R ${short(fact.signature)} is the committed nonce ${short(attestation.nonce)}`
  if (attestation.type === 'hashlock') return 'verified — the preimage opens the committed hash lock'
  return 'verified — signed by the capability key'
}

// ── report ──

function Progress({
  id,
  progress,
}: {
  id: string
  progress: (MiningProgress & { kernel: string }) | undefined
}) {
  if (!progress) return null
  const eta = Number.isFinite(progress.etaMs) ? `${(progress.etaMs / 1000).toFixed(1)} s` : '…'
  return (
    <p role="status" id={id}>
      mining {progress.bits} bits on {progress.threads} workers ({progress.kernel}):{' '}
      {progress.attempts.toLocaleString()} tries, <span class="rate">{Math.round(progress.rate)}</span> H/s,
      ETA {eta}
    </p>
  )
}

function useMining() {
  const [progress, setProgress] = useState<MiningProgress & { kernel: string }>()
  const [controller, setController] = useState<AbortController>()
  const start = () => {
    const next = new AbortController()
    setController(next)
    setProgress(undefined)
    return { signal: next.signal, onProgress: setProgress }
  }
  const done = () => setController(undefined)
  return { progress, controller, start, done }
}

function Reports({ version, onChange }: { version: number; onChange: () => void }) {
  const [proposals, setProposals] = useState<ReportProposal[]>([])
  const [bits, setBits] = useState(16)
  const [filed, setFiled] = useState<string>()
  const [byHandOracle, setByHandOracle] = useState('')
  const [comment, setComment] = useState('')
  const [linksText, setLinksText] = useState('')
  const oracles = session.store.latest('oracle').map((stored) => stored.message.pubkey)
  const mining = useMining()
  const { busy, error, run } = useAction()
  void version
  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Report cheating</h2>
      <button type="button" id="detect" onClick={() => setProposals(session.detect())}>
        Look for evidence
      </button>{' '}
      <WorkInput id="report-bits" bits={bits} setBits={setBits} />
      {proposals.length === 0 ? <p id="no-evidence">No reportable evidence found.</p> : null}
      <ul id="proposals">
        {proposals.map((proposal, i) => (
          <li key={i}>
            {proposal.content.type} against <code>{short(proposal.oracle)}</code> ({proposal.verdict}):{' '}
            {proposal.reason}{' '}
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  try {
                    const { posted } = await session.fileReport(proposal, { bits, ...mining.start() })
                    setFiled(`filed: ${posted.map((p) => `${p.url} answered ${p.status}`).join(', ')}`)
                    setProposals(session.detect())
                    onChange()
                  } finally {
                    mining.done()
                  }
                })
              }
            >
              Mine and file
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          const links = linksText.split(/\s+/).filter((link) => link.length > 0)
          void run(async () => {
            try {
              const { posted } = await session.fileReport(
                { oracle: byHandOracle || oracles[0]!, content: freeForm(comment, links) },
                { bits, ...mining.start() },
              )
              setFiled(`filed: ${posted.map((p) => `${p.url} answered ${p.status}`).join(', ')}`)
              onChange()
            } finally {
              mining.done()
            }
          })
        }}
      >
        <fieldset>
          <legend>
            A complaint in your words (free-form: counted only by policies that count subjective reports)
          </legend>
          <label>
            Oracle{' '}
            <select
              id="free-form-oracle"
              value={byHandOracle || oracles[0]}
              onChange={(e) => setByHandOracle(e.currentTarget.value)}
            >
              {oracles.map((key) => (
                <option key={key} value={key}>
                  {short(key)}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Comment{' '}
            <input
              id="free-form-comment"
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
            />
          </label>{' '}
          <label>
            Links (space-separated){' '}
            <input
              id="free-form-links"
              value={linksText}
              onInput={(e) => setLinksText(e.currentTarget.value)}
            />
          </label>{' '}
          <button
            type="submit"
            id="file-free-form"
            disabled={busy || oracles.length === 0 || comment.length === 0}
          >
            Mine and file
          </button>
        </fieldset>
      </form>
      <Progress id="report-mining" progress={mining.progress} />
      {mining.controller && (
        <button type="button" id="cancel-mining" onClick={() => mining.controller?.abort()}>
          Cancel mining
        </button>
      )}
      {filed && (
        <p role="status" id="filed">
          {filed}
        </p>
      )}
      <ErrorLine text={error} />
    </section>
  )
}

// ── offers ──

function Offers({ version, onChange }: { version: number; onChange: () => void }) {
  const capabilities = session.capabilities()
  const [capabilityKey, setCapabilityKey] = useState('')
  const [bet, setBet] = useState('')
  const [amount, setAmount] = useState(100)
  const [contact, setContact] = useState('')
  const [details, setDetails] = useState('')
  const [bits, setBits] = useState(12)
  const [opened, setOpened] = useState<Record<string, string | undefined>>({})
  const mining = useMining()
  const { busy, error, run } = useAction()
  const capability = capabilities.find((c) => c.capabilityKey === capabilityKey) ?? capabilities[0]
  const offers = session.offers()
  const me = session.key?.publicKey
  useEffect(() => {
    void Promise.all(offers.map(async ({ key, offer }) => [key, await session.details(offer)] as const)).then(
      (pairs) => setOpened(Object.fromEntries(pairs)),
    )
  }, [version, me])
  const stage = (offer: Offer) => ['open', 'accepted', 'finalized'][offer.seqNo] ?? String(offer.seqNo)
  return (
    <section aria-labelledby="offers-heading">
      <h2 id="offers-heading">Offers</h2>
      <button
        type="button"
        id="refresh-offers"
        disabled={busy}
        onClick={() => void run(() => session.refreshOffers().then(onChange))}
      >
        Fetch the order book
      </button>
      {capability && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              try {
                await session.publishOffer(
                  {
                    capability,
                    args: Object.fromEntries(capability.params.map((p) => [p.name, p.values[0]!])),
                    bets: [bet || capability.answers[0]!],
                    amount,
                    acceptorAmount: amount,
                    chain: 'bitcoin',
                    contact,
                    expires: session.now() + 86_400,
                  },
                  { bits, ...mining.start() },
                )
                onChange()
              } finally {
                mining.done()
              }
            })
          }}
        >
          <fieldset>
            <legend>New offer</legend>
            <label>
              Capability{' '}
              <select
                id="offer-capability"
                value={capability.capabilityKey}
                onChange={(e) => setCapabilityKey(e.currentTarget.value)}
              >
                {capabilities.map((c) => (
                  <option key={c.capabilityKey} value={c.capabilityKey}>
                    {c.question} ({short(c.capabilityKey)})
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              I bet on{' '}
              <select
                id="offer-bet"
                value={bet || capability.answers[0]}
                onChange={(e) => setBet(e.currentTarget.value)}
              >
                {capability.answers.map((answer) => (
                  <option key={answer}>{answer}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              Stake each{' '}
              <input
                id="offer-amount"
                type="number"
                min={1}
                value={amount}
                onInput={(e) => setAmount(Number(e.currentTarget.value))}
              />
            </label>{' '}
            <WorkInput id="offer-bits" bits={bits} setBits={setBits} />
            <button type="submit" id="publish-offer" disabled={busy || !me}>
              Mine and publish
            </button>
          </fieldset>
        </form>
      )}
      <p>
        <label>
          Contact <input id="contact" value={contact} onInput={(e) => setContact(e.currentTarget.value)} />
        </label>{' '}
        <label>
          Sealed details for the counterparty{' '}
          <input id="sealed-details" value={details} onInput={(e) => setDetails(e.currentTarget.value)} />
        </label>
      </p>
      <Progress id="offer-mining" progress={mining.progress} />
      {mining.controller && (
        <button type="button" onClick={() => mining.controller?.abort()}>
          Cancel mining
        </button>
      )}
      <ErrorLine text={error} />
      <ul id="book">
        {offers.map(({ key, offer }) => (
          <li key={key} data-offer={key} data-stage={stage(offer)}>
            <code>{short(key)}</code> {stage(offer)}: {offer.terms.originatorBets.join('/')} (
            {offer.terms.originatorAmount}) vs {offer.terms.acceptorBets.join('/')} (
            {offer.terms.acceptorAmount}) on {short(offer.terms.question.capability)}
            {offer.terms.originator === me && ' — yours'}
            {offer.acceptance?.acceptor === me && ' — accepted by you'}
            {opened[key] !== undefined && (
              <span class="sealed">
                {' '}
                sealed for you: <q>{opened[key]}</q>
              </span>
            )}{' '}
            {me && offer.seqNo === 0 && offer.terms.originator !== me && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(() => session.accept(key, contact, details || undefined).then(onChange))
                }
              >
                Accept
              </button>
            )}
            {me && offer.seqNo === 1 && offer.terms.originator === me && (
              <button
                type="button"
                disabled={busy}
                onClick={() => void run(() => session.finalize(key, details || undefined).then(onChange))}
              >
                Finalize
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}

// ── self-test ──

/** Seconds the rate measurement mines for. */
const MEASURE_SECONDS = 3

function SelfTest() {
  const [outcomes, setOutcomes] = useState<VectorOutcome[]>()
  const [rate, setRate] = useState<string>()
  const { busy, error, run } = useAction()
  const failed = outcomes?.filter((outcome) => outcome.failures.length > 0) ?? []
  return (
    <section aria-labelledby="self-test-heading">
      <h2 id="self-test-heading">Self-test</h2>
      <label>
        Protocol test vectors (docs/test-vectors.json){' '}
        <input
          id="vectors-file"
          type="file"
          accept="application/json,.json"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0]
            if (file) void run(async () => setOutcomes(checkVectorFile(JSON.parse(await file.text()))))
          }}
        />
      </label>
      {outcomes && (
        <p role="status" id="vector-summary">
          {outcomes.length} vectors, {outcomes.reduce((sum, o) => sum + o.checks, 0)} checks:{' '}
          {failed.length === 0 ? 'all pass' : `${failed.length} failing`}
        </p>
      )}
      <ul id="vector-failures">
        {failed.map((outcome) => (
          <li key={outcome.name}>
            {outcome.name}: {outcome.failures.join('; ')}
          </li>
        ))}
      </ul>
      <button
        type="button"
        id="measure-mining"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            let last = 0
            const stop = AbortSignal.timeout(MEASURE_SECONDS * 1000)
            await mineInWorkers({
              bound: crypto.getRandomValues(new Uint8Array(32)),
              bits: 64,
              workerUrl: session.workerUrl,
              signal: stop,
              onProgress: (progress) => (last = progress.rate),
            }).catch((caught: { code?: string }) => {
              if (caught.code !== ErrorCode.MINING_CANCELLED) throw caught
            })
            setRate(String(Math.round(last)))
          })
        }
      >
        Measure the mining rate ({MEASURE_SECONDS} s)
      </button>
      {rate && (
        <p role="status">
          <span id="measured-rate">{rate}</span> hashes per second in this browser
        </p>
      )}
      <ErrorLine text={error} />
    </section>
  )
}

function App() {
  const [version, setVersion] = useState(0)
  const [restored, setRestored] = useState(false)
  const bump = () => setVersion((v) => v + 1)
  useEffect(() => {
    void session.restore().then(
      () => setRestored(true),
      () => setRestored(true),
    )
  }, [])
  const main = useRef<HTMLElement>(null)
  // Served by a node at /trader: its dashboard is one link away. A static copy has none.
  const onNode = location.pathname.replace(/\/+$/, '').endsWith('/trader')
  return (
    <>
      <button
        type="button"
        class="skip"
        onClick={() => main.current?.querySelector<HTMLElement>('h1')?.focus()}
      >
        Skip to content
      </button>
      <header>
        <span class="brand">Mega trader</span>
        <nav aria-label="Sections">
          <a href="#keys-heading">Key</a>
          <a href="#find-heading">Oracles</a>
          <a href="#ask-heading">Ask</a>
          {session.key && <a href="#report-heading">Report</a>}
          <a href="#offers-heading">Offers</a>
          <a href="#self-test-heading">Self-test</a>
          {onNode && <a href="/">Dashboard</a>}
        </nav>
        <span class="connection">
          {session.nodes.length === 1 ? 'node' : 'nodes'}{' '}
          <code id="node-url">{session.nodes.map((node) => node.url).join(' ')}</code>
        </span>
      </header>
      <main id="main" ref={main} data-ready={restored ? 'yes' : 'no'}>
        <h1 tabIndex={-1}>Trader</h1>
        <p>Every signature and proof of work is checked in this browser; your key never leaves it.</p>
        <Keys onChange={bump} />
        <Oracles version={version} onChange={bump} />
        <Ask version={version} onChange={bump} />
        {session.key && <Reports version={version} onChange={bump} />}
        <Offers version={version} onChange={bump} />
        <SelfTest />
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)

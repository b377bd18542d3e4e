/**
 * The browser trader (served by every node at `/trader`, or as a static bundle): keys, oracles
 * ranked under the trader's own policy, facts asked and verified, reports mined in Web Workers,
 * offers — every check and every signature in this page.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { MiningProgress } from '../miner/scheduler.ts'
import { verifyAttestation } from '../protocol/attestation.ts'
import { type Commitment, type Fact, LIMITS, type Offer } from '../protocol/messages/index.ts'
import { workToBits } from '../protocol/score.ts'
import type { ReportProposal } from '../trader/detect.ts'
import { isNotYet } from '../trader/facts.ts'
import { defaultPolicy, parsePolicy, type RankedOracle } from '../trader/policy.ts'
import { factDisagreesWithPublic, freeForm } from '../trader/reports.ts'
import {
  createTraderKey,
  decryptKey,
  encryptKey,
  parseSealedKey,
  type SealedKey,
  traderKeyFromSecret,
} from './keystore.ts'
import { followNodes, type LiveState } from './live.ts'
import { mineInWorkers } from './miner.ts'
import { type AskRoute, type DomainVerdict, type Posted, TraderSession } from './session.ts'
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

function Oracles({
  version,
  onChange,
  refused,
}: {
  version: number
  onChange: () => void
  /** What the last live refresh refused. */
  refused: { source: string; reason: string }[]
}) {
  const [policyText, setPolicyText] = useState(JSON.stringify(defaultPolicy, null, 1))
  const [rejected, setRejected] = useState<{ source: string; reason: string }[]>([])
  const [domains, setDomains] = useState<DomainVerdict[]>()
  useEffect(() => {
    if (refused.length > 0) setRejected(refused)
  }, [refused])
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
      </button>{' '}
      <button
        type="button"
        id="verify-domains"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            setDomains(await session.verifyDomains())
            onChange()
          })
        }
      >
        Verify domains
      </button>
      <ErrorLine text={error} />
      {domains && (
        <div role="status">
          <p>
            Manifests ({domains.length === 0 ? 'no oracle names one' : `${domains.length} checked`}): only{' '}
            <code>https://&lt;domain&gt;/.well-known/mega-oracle.json</code>, read by this page — a domain
            must send CORS headers for it.
          </p>
          <ul id="domains">
            {domains.map((verdict) => (
              <li key={verdict.oracle} data-oracle={verdict.oracle} data-status={verdict.status}>
                <code>{short(verdict.oracle)}</code>{' '}
                <strong class={`domain-${verdict.status}`}>
                  {verdict.status === 'unverified' ? 'unverified (no CORS)' : verdict.status}
                </strong>
                {verdict.reason && `: ${verdict.reason}`}
              </li>
            ))}
          </ul>
        </div>
      )}
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
            {oracle.domain && <span class="domain"> domain-verified {oracle.domain}</span>}
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
  const [route, setRoute] = useState('auto')
  const { busy, error, run } = useAction()
  const capability = capabilities.find((c) => c.capabilityKey === selected) ?? capabilities[0]
  void version
  const asked = session.asked()
  const askRoute: AskRoute =
    route === 'auto' || route === 'endpoint' ? { via: route } : { via: 'node', node: route }
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
              const result = await session.ask(capability.capabilityKey, filled, askRoute)
              const via = result.via === capability.endpoint ? 'the endpoint' : result.via
              setShown(
                isNotYet(result.fact)
                  ? `asked via ${via}; not answered yet: ${result.fact.detail}`
                  : `asked via ${via}`,
              )
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
          <label>
            Through{' '}
            <select id="ask-route" value={route} onChange={(e) => setRoute(e.currentTarget.value)}>
              <option value="auto">the endpoint, else a node's relay</option>
              <option value="endpoint">the oracle's endpoint only</option>
              {session.nodes.map((node) => (
                <option key={node.url} value={node.url}>
                  the relay of {node.url}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit" id="ask" disabled={busy}>
            Ask the oracle
          </button>
        </form>
      )}
      <ErrorLine text={error} />
      {shown && (
        <p role="status" id="ask-status">
          {shown}
        </p>
      )}
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

/** Cancel while mining; after a cancel, resume from the checkpoint (the nonces searched stay searched). */
function MiningControls({
  kind,
  mining,
  busy,
  onResume,
}: {
  kind: 'report' | 'offer'
  mining: ReturnType<typeof useMining>
  busy: boolean
  onResume: () => void
}) {
  const paused = session.paused?.kind === kind ? session.paused : undefined
  if (mining.controller)
    return (
      <button
        type="button"
        {...(kind === 'report' && { id: 'cancel-mining' })}
        onClick={() => mining.controller?.abort()}
      >
        Cancel mining
      </button>
    )
  if (!paused) return null
  return (
    <p>
      <button type="button" id={`resume-${kind}`} disabled={busy} onClick={onResume}>
        Resume mining
      </button>{' '}
      <span id={`paused-${kind}`}>
        {paused.bits} bits, {paused.attempts.toLocaleString()} tries kept (from nonce {paused.checkpoint})
      </span>
    </p>
  )
}

function Reports({ version, onChange }: { version: number; onChange: () => void }) {
  const [proposals, setProposals] = useState<ReportProposal[]>([])
  const [caught, setCaught] = useState<Awaited<ReturnType<typeof session.nodeConflicts>>>()
  const [bits, setBits] = useState(16)
  const [anonymous, setAnonymous] = useState(false)
  const [filed, setFiled] = useState<string>()
  const [byHandOracle, setByHandOracle] = useState('')
  const [comment, setComment] = useState('')
  const [linksText, setLinksText] = useState('')
  const [evidence, setEvidence] = useState('')
  const [disputed, setDisputed] = useState('')
  const [publicAnswer, setPublicAnswer] = useState('')
  const [publicLinks, setPublicLinks] = useState('')
  const [publicComment, setPublicComment] = useState('')
  const oracles = session.store.latest('oracle').map((stored) => stored.message.pubkey)
  // Facts kept (own or imported) whose capability is held: what a disagreement can quote.
  const facts = session.store
    .list('fact')
    .filter(({ message }) =>
      session.capabilities().some((c) => c.capabilityKey === message.request.capability),
    )
  const fact = (facts.find((f) => f.id === disputed) ?? facts[0])?.message
  const factCapability = fact && session.capability(fact.request.capability)
  const publicAnswers = factCapability?.answers.filter((answer) => answer !== fact?.answer) ?? []
  const mining = useMining()
  const { busy, error, run } = useAction()
  void version
  const shown = (posted: Posted[]) => {
    setFiled(`filed: ${posted.map((p) => `${p.url} answered ${p.status}`).join(', ')}`)
    setProposals(session.detect())
    if (caught) void session.nodeConflicts().then(setCaught, () => undefined)
    onChange()
  }
  const file = (proposal: Pick<ReportProposal, 'oracle' | 'content'>) =>
    void run(async () => {
      try {
        shown((await session.fileReport(proposal, { bits, ...mining.start() }, anonymous)).posted)
      } finally {
        mining.done()
      }
    })
  const links = (text: string) => text.split(/\s+/).filter((link) => link.length > 0)
  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Report cheating</h2>
      <button type="button" id="detect" onClick={() => setProposals(session.detect())}>
        Look for evidence
      </button>{' '}
      <WorkInput id="report-bits" bits={bits} setBits={setBits} />{' '}
      <label>
        <input
          id="report-anonymous"
          type="checkbox"
          checked={anonymous}
          onChange={(e) => setAnonymous(e.currentTarget.checked)}
        />{' '}
        anonymous (names no reporter)
      </label>
      {proposals.length === 0 ? <p id="no-evidence">No reportable evidence found.</p> : null}
      <ul id="proposals">
        {proposals.map((proposal, i) => (
          <li key={i}>
            {proposal.content.type} against <code>{short(proposal.oracle)}</code> ({proposal.verdict}):{' '}
            {proposal.reason}{' '}
            <button type="button" disabled={busy} onClick={() => file(proposal)}>
              Mine and file
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        id="node-conflicts"
        disabled={busy}
        onClick={() => void run(async () => setCaught(await session.nodeConflicts()))}
      >
        Conflicts the nodes caught
      </button>
      {caught && (
        <div role="status">
          {caught.conflicts.length === 0 && <p>No conflicts held by the nodes.</p>}
          <ul id="conflicts">
            {caught.conflicts.map((conflict) => (
              <li key={conflict.subject} data-verdict={conflict.verdict}>
                {conflict.type}: {conflict.content.type} against <code>{short(conflict.oracle)}</code> (
                {conflict.verdict}) from {conflict.nodes.join(', ')}
                {conflict.filed ? (
                  ' — filed'
                ) : conflict.verdict === 'verified' ? (
                  <>
                    {' '}
                    <button type="button" disabled={busy} onClick={() => file(conflict)}>
                      Mine and file
                    </button>
                  </>
                ) : null}
              </li>
            ))}
            {caught.rejected.map((r) => (
              <li key={r.node + r.reason}>
                ignored {r.node}: {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <details>
        <summary>Evidence from elsewhere</summary>
        <label>
          A fact, commitment or ad someone gave you (JSON){' '}
          <textarea
            id="import-evidence"
            value={evidence}
            onInput={(e) => setEvidence(e.currentTarget.value)}
          />
        </label>{' '}
        <button
          type="button"
          id="add-evidence"
          onClick={() =>
            void run(async () => {
              // Checked as any message (schema, signatures, work) before it is kept; detection then sees it.
              session.store.put(JSON.parse(evidence), { origin: 'import' })
              setEvidence('')
              setProposals(session.detect())
              onChange()
            })
          }
        >
          Check and keep
        </button>
      </details>
      {fact && factCapability && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            const answer = publicAnswer || publicAnswers[0]!
            file({
              oracle: factCapability.oracle,
              content: factDisagreesWithPublic(
                factCapability,
                fact,
                links(publicLinks),
                `public sources give "${answer}"${publicComment ? `: ${publicComment}` : ''}`,
              ),
            })
          }}
        >
          <fieldset>
            <legend>
              A fact that disagrees with public sources (subjective: counted only by policies that count it)
            </legend>
            <label>
              Fact{' '}
              <select
                id="disagree-fact"
                value={disputed || facts[0]?.id}
                onChange={(e) => setDisputed(e.currentTarget.value)}
              >
                {facts.map(({ id, message }) => (
                  <option key={id} value={id}>
                    {message.answer} to {Object.values(message.request.args).join(' ')} ({short(id)})
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              Public answer{' '}
              <select
                id="disagree-answer"
                value={publicAnswer || publicAnswers[0]}
                onChange={(e) => setPublicAnswer(e.currentTarget.value)}
              >
                {publicAnswers.map((answer) => (
                  <option key={answer}>{answer}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              Links (space-separated){' '}
              <input
                id="disagree-links"
                value={publicLinks}
                onInput={(e) => setPublicLinks(e.currentTarget.value)}
              />
            </label>{' '}
            <label>
              Comment{' '}
              <input
                id="disagree-comment"
                value={publicComment}
                onInput={(e) => setPublicComment(e.currentTarget.value)}
              />
            </label>{' '}
            <button type="submit" id="file-disagreement" disabled={busy || publicAnswers.length === 0}>
              Mine and file
            </button>
          </fieldset>
        </form>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          file({ oracle: byHandOracle || oracles[0]!, content: freeForm(comment, links(linksText)) })
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
      <MiningControls
        kind="report"
        mining={mining}
        busy={busy}
        onResume={() =>
          void run(async () => {
            try {
              shown((await session.resume(mining.start())).posted)
            } finally {
              mining.done()
            }
          })
        }
      />
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

/** A request picked in the form: a capability and a value for each of its parameters. */
interface PickedRequest {
  capability: string
  args: Record<string, string>
}

/** The request `picked` names, every parameter filled (its first value unless chosen). */
function requestOf(picked: PickedRequest) {
  const capability = session.capability(picked.capability)
  return {
    capability: picked.capability,
    args: Object.fromEntries(capability.params.map((p) => [p.name, picked.args[p.name] ?? p.values[0]!])),
  }
}

/** The parameter selects of a capability, named `${prefix}${param}`. */
function ParamSelects({
  capabilityKey,
  prefix,
  args,
  setArgs,
}: {
  capabilityKey: string
  prefix: string
  args: Record<string, string>
  setArgs: (args: Record<string, string>) => void
}) {
  const capability = session.capabilities().find((c) => c.capabilityKey === capabilityKey)
  return (
    <>
      {capability?.params.map((param) => (
        <label key={param.name}>
          {' '}
          {param.name}{' '}
          <select
            name={`${prefix}${param.name}`}
            value={args[param.name] ?? param.values[0]}
            onChange={(e) => setArgs({ ...args, [param.name]: e.currentTarget.value })}
          >
            {param.values.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
      ))}
    </>
  )
}

/** A synonym row: fact answers (`words`) that count as `answer`, for one request or all. */
interface SynonymRow {
  scope: string
  answer: string
  words: string
}

/** What the facts held say of an offer of ours: settled (and who wins), pending or deadlocked. */
function SettlementLine({ offer, me }: { offer: Offer; me: string }) {
  const settlement = session.settle(offer)
  const agreeing = settlement.tally[0]?.requests ?? 0
  const mine = offer.terms.originator === me ? 'originator' : 'acceptor'
  return (
    <span class="settlement" data-status={settlement.status}>
      {' '}
      — {settlement.status}
      {settlement.outcome !== undefined && ` on ${settlement.outcome}`} ({agreeing} of {settlement.threshold}{' '}
      agreeing)
      {settlement.winner === 'void'
        ? ': void, stakes back'
        : settlement.winner && (settlement.winner === mine ? ': you win' : ': you lose')}
    </span>
  )
}

function Offers({ version, onChange }: { version: number; onChange: () => void }) {
  const capabilities = session.capabilities()
  const [capabilityKey, setCapabilityKey] = useState('')
  const [args, setArgs] = useState<Record<string, string>>({})
  const [bet, setBet] = useState('')
  const [amount, setAmount] = useState(100)
  const [theirAmount, setTheirAmount] = useState<number>()
  const [against, setAgainst] = useState<string[]>()
  const [chain, setChain] = useState('bitcoin')
  const [hours, setHours] = useState(24)
  const [quorum, setQuorum] = useState<PickedRequest[]>([])
  const [threshold, setThreshold] = useState('')
  const [synonyms, setSynonyms] = useState<SynonymRow[]>([])
  const [contact, setContact] = useState('')
  const [details, setDetails] = useState('')
  const [bits, setBits] = useState(12)
  const [opened, setOpened] = useState<Record<string, string | undefined>>({})
  const mining = useMining()
  const { busy, error, run } = useAction()
  const capability = capabilities.find((c) => c.capabilityKey === capabilityKey) ?? capabilities[0]
  const offers = session.offers()
  const matches = session.matches()
  const me = session.key?.publicKey
  useEffect(() => {
    void Promise.all(offers.map(async ({ key, offer }) => [key, await session.details(offer)] as const)).then(
      (pairs) => setOpened(Object.fromEntries(pairs)),
    )
  }, [version, me])
  const stage = (offer: Offer) => ['open', 'accepted', 'finalized'][offer.seqNo] ?? String(offer.seqNo)
  const requested = [capability?.capabilityKey, ...quorum.map((q) => q.capability)]
  const myBet = bet || capability?.answers[0] || ''
  const theirBets = against ?? capability?.answers.filter((answer) => answer !== myBet) ?? []
  const mine = async (work: () => Promise<unknown>) => {
    try {
      await work()
      onChange()
    } finally {
      mining.done()
    }
  }
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
            const scoped = synonyms.filter((row) => row.words.trim() !== '')
            void run(() =>
              mine(() =>
                session.publishOffer(
                  {
                    capability,
                    args: requestOf({ capability: capability.capabilityKey, args }).args,
                    bets: [myBet],
                    ...(against && { acceptorBets: against.filter((answer) => answer !== myBet) }),
                    amount,
                    acceptorAmount: theirAmount ?? amount,
                    chain,
                    contact,
                    expires: session.now() + Math.round(hours * 3600),
                    ...(quorum.length > 0 && { quorum: quorum.map(requestOf) }),
                    ...(threshold !== '' && { threshold: Number(threshold) }),
                    ...(scoped.length > 0 && {
                      synonyms: scoped.map((row) => ({
                        answer: row.answer,
                        synonyms: row.words.split(',').map((word) => word.trim()),
                        ...(row.scope !== '' && { capability: row.scope }),
                      })),
                    }),
                  },
                  { bits, ...mining.start() },
                ),
              ),
            )
          }}
        >
          <fieldset>
            <legend>New offer</legend>
            <label>
              Capability{' '}
              <select
                id="offer-capability"
                value={capability.capabilityKey}
                onChange={(e) => {
                  setCapabilityKey(e.currentTarget.value)
                  setArgs({})
                  setBet('')
                  setAgainst(undefined)
                }}
              >
                {capabilities.map((c) => (
                  <option key={c.capabilityKey} value={c.capabilityKey}>
                    {c.question} ({short(c.capabilityKey)})
                  </option>
                ))}
              </select>
            </label>
            <ParamSelects
              capabilityKey={capability.capabilityKey}
              prefix="offer-"
              args={args}
              setArgs={setArgs}
            />{' '}
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
            <fieldset>
              <legend>They bet on</legend>
              {capability.answers
                .filter((answer) => answer !== myBet)
                .map((answer) => (
                  <label key={answer}>
                    <input
                      type="checkbox"
                      name={`offer-against-${answer}`}
                      checked={theirBets.includes(answer)}
                      onChange={(e) =>
                        setAgainst(
                          e.currentTarget.checked
                            ? [...theirBets, answer]
                            : theirBets.filter((other) => other !== answer),
                        )
                      }
                    />{' '}
                    {answer}{' '}
                  </label>
                ))}
            </fieldset>{' '}
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
            <label>
              Their stake{' '}
              <input
                id="offer-acceptor-amount"
                type="number"
                min={1}
                value={theirAmount ?? amount}
                onInput={(e) => setTheirAmount(Number(e.currentTarget.value))}
              />
            </label>{' '}
            <label>
              Chain{' '}
              <input
                id="offer-chain"
                size={8}
                value={chain}
                onInput={(e) => setChain(e.currentTarget.value)}
              />
            </label>{' '}
            <label>
              Expires in{' '}
              <input
                id="offer-expires"
                type="number"
                min={1}
                value={hours}
                onInput={(e) => setHours(Number(e.currentTarget.value))}
              />{' '}
              hours
            </label>{' '}
            <WorkInput id="offer-bits" bits={bits} setBits={setBits} />
            <fieldset>
              <legend>Quorum: more oracles that must agree (k of n)</legend>
              {quorum.map((picked, index) => (
                <p key={index} class="quorum">
                  <label>
                    Request {index + 2}{' '}
                    <select
                      name={`quorum-${index}`}
                      value={picked.capability}
                      onChange={(e) =>
                        setQuorum(
                          quorum.map((q, i) =>
                            i === index ? { capability: e.currentTarget.value, args: {} } : q,
                          ),
                        )
                      }
                    >
                      {capabilities.map((c) => (
                        <option key={c.capabilityKey} value={c.capabilityKey}>
                          {c.question} ({short(c.capabilityKey)})
                        </option>
                      ))}
                    </select>
                  </label>
                  <ParamSelects
                    capabilityKey={picked.capability}
                    prefix={`quorum-${index}-`}
                    args={picked.args}
                    setArgs={(next) =>
                      setQuorum(quorum.map((q, i) => (i === index ? { ...q, args: next } : q)))
                    }
                  />{' '}
                  <button type="button" onClick={() => setQuorum(quorum.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </p>
              ))}
              <button
                type="button"
                id="add-quorum"
                disabled={quorum.length >= LIMITS.quorum}
                onClick={() =>
                  setQuorum([
                    ...quorum,
                    {
                      capability: (
                        capabilities.find((c) => !requested.includes(c.capabilityKey)) ?? capability
                      ).capabilityKey,
                      args: {},
                    },
                  ])
                }
              >
                Add a request
              </button>{' '}
              <label>
                Agreeing{' '}
                <input
                  id="offer-threshold"
                  type="number"
                  min={1}
                  max={quorum.length + 1}
                  placeholder={String(quorum.length + 1)}
                  value={threshold}
                  onInput={(e) => setThreshold(e.currentTarget.value)}
                />{' '}
                of {quorum.length + 1}
              </label>
            </fieldset>
            <fieldset>
              <legend>Synonyms: answers worded differently that count as one of ours</legend>
              {synonyms.map((row, index) => {
                const update = (change: Partial<SynonymRow>) =>
                  setSynonyms(synonyms.map((r, i) => (i === index ? { ...r, ...change } : r)))
                return (
                  <p key={index} class="synonym">
                    <label>
                      For{' '}
                      <select
                        name={`synonym-${index}-scope`}
                        value={row.scope}
                        onChange={(e) => update({ scope: e.currentTarget.value })}
                      >
                        <option value="">every request</option>
                        {requested.map((key) => (
                          <option key={key} value={key}>
                            {short(key ?? '')}
                          </option>
                        ))}
                      </select>
                    </label>{' '}
                    <label>
                      the answers{' '}
                      <input
                        name={`synonym-${index}-words`}
                        value={row.words}
                        placeholder="1, home win"
                        onInput={(e) => update({ words: e.currentTarget.value })}
                      />
                    </label>{' '}
                    <label>
                      count as{' '}
                      <select
                        name={`synonym-${index}-answer`}
                        value={row.answer}
                        onChange={(e) => update({ answer: e.currentTarget.value })}
                      >
                        {capability.answers.map((answer) => (
                          <option key={answer}>{answer}</option>
                        ))}
                      </select>
                    </label>
                  </p>
                )
              })}
              <button
                type="button"
                id="add-synonym"
                disabled={synonyms.length >= LIMITS.synonyms}
                onClick={() =>
                  setSynonyms([...synonyms, { scope: '', answer: capability.answers[0]!, words: '' }])
                }
              >
                Add a synonym
              </button>
            </fieldset>
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
      <MiningControls
        kind="offer"
        mining={mining}
        busy={busy}
        onResume={() => void run(() => mine(() => session.resume(mining.start())))}
      />
      <ErrorLine text={error} />
      <ul id="book">
        {offers.map(({ key, offer }) => {
          const match = matches.find((m) => m.key === key)
          return (
            <li key={key} data-offer={key} data-stage={stage(offer)}>
              <code>{short(key)}</code> {stage(offer)}: {offer.terms.originatorBets.join('/')} (
              {offer.terms.originatorAmount}) vs {offer.terms.acceptorBets.join('/')} (
              {offer.terms.acceptorAmount}) on {short(offer.terms.question.capability)}
              {offer.terms.quorum &&
                ` + ${offer.terms.quorum.map((q) => short(q.capability)).join(' + ')}, ${offer.terms.threshold ?? offer.terms.quorum.length + 1} of ${offer.terms.quorum.length + 1} agreeing`}
              {offer.terms.synonyms?.map((synonym) => (
                <span key={synonym.answer + synonym.synonyms.join()} class="synonyms">
                  {' '}
                  ({synonym.synonyms.join(', ')} = {synonym.answer}
                  {synonym.capability && ` on ${short(synonym.capability)}`})
                </span>
              ))}
              {offer.terms.originator === me && ' — yours'}
              {offer.acceptance?.acceptor === me && ' — accepted by you'}
              {(offer.terms.originator === me || offer.acceptance?.acceptor === me) && (
                <SettlementLine offer={offer} me={me!} />
              )}
              {match && (
                <strong class="match">
                  {' '}
                  — matches your offer {short(match.mine)}: odds ×{match.oddsRatio.toFixed(2)}, fills{' '}
                  {Math.round(match.fill * 100)}%
                </strong>
              )}
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
          )
        })}
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
              if (caught.code !== 'MINING_CANCELLED') throw caught
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
  const [live, setLive] = useState<Record<string, LiveState>>({})
  const [refused, setRefused] = useState<{ source: string; reason: string }[]>([])
  const bump = () => setVersion((v) => v + 1)
  useEffect(() => {
    void session.restore().then(
      () => setRestored(true),
      () => setRestored(true),
    )
    // The ranking and the book follow the nodes' event streams, without a reload.
    return followNodes(
      session.nodes.map((node) => node.url),
      {
        refreshOracles: () => session.refreshOracles(),
        refreshOffers: () => session.refreshOffers(),
        onRefresh: (what, collected) => {
          if (what === 'oracles') setRefused(collected.rejected)
          bump()
        },
        onState: (url, state) => setLive((states) => ({ ...states, [url]: state })),
      },
    )
  }, [])
  const liveStates = Object.values(live)
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
          <code id="node-url">{session.nodes.map((node) => node.url).join(' ')}</code>{' '}
          <span id="live" data-state={liveStates.includes('live') ? 'live' : (liveStates[0] ?? 'connecting')}>
            {liveStates.includes('live') ? '● live' : '○ not live'}
          </span>
        </span>
      </header>
      <main id="main" ref={main} data-ready={restored ? 'yes' : 'no'}>
        <h1 tabIndex={-1}>Trader</h1>
        <p>Every signature and proof of work is checked in this browser; your key never leaves it.</p>
        <Keys onChange={bump} />
        <Oracles version={version} onChange={bump} refused={refused} />
        <Ask version={version} onChange={bump} />
        {session.key && <Reports version={version} onChange={bump} />}
        <Offers version={version} onChange={bump} />
        <SelfTest />
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)

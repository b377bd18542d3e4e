/**
 * The browser trader (served by every node at `/trader`, or as a static bundle): keys, oracles
 * ranked under the trader's own policy, facts asked and verified, reports mined in Web Workers,
 * offers — every check and every signature in this page.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { type Commitment, ErrorCode, type Fact, verifyAttestation, workToBits } from '../protocol/index.ts'
import { isNotYet } from '../trader/facts.ts'
import { defaultPolicy, parsePolicy, type RankedOracle } from '../trader/policy.ts'
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
import { Offers } from './offers-view.tsx'
import { Reports } from './reports-view.tsx'
import type { AskRoute, DomainVerdict } from './session.ts'
import { deleteSealedKey, loadSealedKey, saveSealedKey } from './storage.ts'
import { ErrorLine, filledArgs, message, ParamSelects, session, short, TextField, useAction } from './ui.tsx'
import { checkVectorFile, type VectorOutcome } from './vectors.ts'

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
          <TextField
            label="Passphrase"
            id="unlock-passphrase"
            password
            value={passphrase}
            onValue={setPassphrase}
          />{' '}
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
      <TextField label="Passphrase" id="new-passphrase" password value={passphrase} onValue={setPassphrase} />
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
        <TextField label="Secret key (hex)" id="import-secret" value={secret} onValue={setSecret} />{' '}
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => keep(traderKeyFromSecret(scheme, secret)))}
        >
          Import secret
        </button>
        <br />
        <TextField
          label="Encrypted backup (JSON)"
          id="import-backup"
          multiline
          value={backup}
          onValue={setBackup}
        />{' '}
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
        <TextField
          label="Policy (JSON)"
          id="policy"
          multiline
          rows={8}
          value={policyText}
          onValue={setPolicyText}
        />
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
            const filled = filledArgs(capability, args)
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
          {capability && (
            <ParamSelects capabilityKey={capability.capabilityKey} prefix="" args={args} setArgs={setArgs} />
          )}{' '}
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
        refreshOracles: (touched) => session.refreshOracles(touched),
        refreshOffers: (touched) => session.refreshOffers(touched),
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

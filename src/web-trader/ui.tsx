/**
 * What the trader page's sections share: the session (its nodes from `?node=`, remembered), the
 * small widgets (work bits, parameter selects, errors, mining progress and its cancel and resume),
 * and the runner that shows an action's error with its code.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { MiningProgress } from '../miner/scheduler.ts'
import type { OracleCapability } from '../protocol/index.ts'
import { TraderSession } from './session.ts'

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

export const session = new TraderSession(nodeUrls(), new URL('miner.js', import.meta.url), clockSkew())

/** How many bits of proof of work to mine for a message. */
export function WorkInput({
  id,
  bits,
  setBits,
}: {
  id: string
  bits: number
  setBits: (bits: number) => void
}) {
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

/** `args` with every parameter of `capability` filled: its first value unless chosen. */
export function filledArgs(
  capability: OracleCapability,
  args: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(capability.params.map((p) => [p.name, args[p.name] ?? p.values[0]!]))
}

/** The parameter selects of a capability, named `${prefix}${param}`. */
export function ParamSelects({
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

export function short(hex: string): string {
  return `${hex.slice(0, 12)}…`
}

export function message(error: unknown): string {
  const coded = error as { code?: string; message?: string }
  return coded.code ? `${coded.message} [${coded.code}]` : String(coded.message ?? error)
}

/** Runs `work`, showing its error; returns a runner and the last error/notice. */
export function useAction() {
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

export function ErrorLine({ text }: { text: string | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null
}

export function Progress({
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

export function useMining() {
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
export function MiningControls({
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

/**
 * A labelled text field bound to a string, the shape of every free-text input of the page:
 * `<label>{label} <input id value onInput /></label>` (a `<textarea>` when `multiline`).
 */
export function TextField(props: {
  label: ComponentChildren
  id: string
  value: string
  onValue: (value: string) => void
  multiline?: boolean
  password?: boolean
  size?: number
  rows?: number
}) {
  const { label, id, value, onValue, multiline = false, password = false, size, rows } = props
  const onInput = (e: { currentTarget: { value: string } }) => onValue(e.currentTarget.value)
  return (
    <label htmlFor={id}>
      {label}{' '}
      {multiline ? (
        <textarea id={id} rows={rows} value={value} onInput={onInput} />
      ) : password ? (
        <input id={id} type="password" value={value} onInput={onInput} />
      ) : (
        <input id={id} size={size} value={value} onInput={onInput} />
      )}
    </label>
  )
}

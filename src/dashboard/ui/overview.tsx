/** The node at a glance: uptime, peers, pools and byte budget, admission floors, rates, activity. */
import { useEffect, useState } from 'preact/hooks'
import { api, type PeerList, type Stats } from './api.ts'
import { Key, Meter, Problem, RateChart } from './components.tsx'
import {
  formatBits,
  formatBytes,
  formatCount,
  formatDuration,
  outcomesOf,
  pushSample,
  ratesOf,
  type Sample,
  shortKey,
} from './format.ts'
import { useData } from './hooks.ts'
import type { LiveSnapshot } from './live.ts'

/** Seconds between `/stats` samples, and how many the chart keeps (two minutes). */
const SAMPLE_SECONDS = 2
const SAMPLES = 60

// Kept across navigation, so the chart does not start over when one comes back.
let samples: Sample[] = []

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

export function Overview({ live }: { live: LiveSnapshot }) {
  const [stats, setStats] = useState<Stats>()
  const [error, setError] = useState<Error>()
  const [, setTick] = useState(0)
  useEffect(() => {
    let stopped = false
    const sample = async () => {
      // A hidden tab costs the node nothing; the chart shows the gap when it comes back.
      if (document.hidden && samples.length > 0) return
      try {
        const next = await api.stats()
        if (stopped) return
        samples = pushSample(samples, { t: Date.now(), ...outcomesOf(next.mempool.counters.status) }, SAMPLES)
        setStats(next)
        setError(undefined)
        setTick((n) => n + 1)
      } catch (e) {
        if (!stopped) setError(e as Error)
      }
    }
    void sample()
    const timer = setInterval(sample, SAMPLE_SECONDS * 1000)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [])
  const peers = useData((signal) => api.peers(signal), [], (stats?.uptime ?? 0) + live.version)
  return (
    <>
      <h1 tabIndex={-1}>Node overview</h1>
      <Problem error={error} />
      {stats ? <Cards stats={stats} peers={peers.data} /> : <p class="muted">Loading…</p>}
      <section aria-labelledby="rates">
        <h2 id="rates">Admissions per second</h2>
        <RateChart rates={ratesOf(samples)} spanSeconds={SAMPLE_SECONDS * SAMPLES} />
      </section>
      {stats && <Floors stats={stats} />}
      <Peers peers={peers.data} />
      <Recent live={live} />
    </>
  )
}

function Cards({ stats, peers }: { stats: Stats; peers: PeerList | undefined }) {
  const { mempool } = stats
  const latency = median(
    (peers?.items ?? []).flatMap((p) => (p.latencyMs === undefined ? [] : [p.latencyMs])),
  )
  return (
    <section class="cards" aria-label="Summary">
      <div class="card">
        <h2>Uptime</h2>
        <p class="big" data-testid="uptime">
          {formatDuration(stats.uptime)}
        </p>
      </div>
      <div class="card">
        <h2>Peers</h2>
        <p class="big" data-testid="peer-count">
          {stats.network ? formatCount(peers?.items.length ?? stats.network.peers) : '–'}
        </p>
        <p class="muted">
          {stats.network
            ? latency === undefined
              ? 'no latency measured yet'
              : `median latency ${latency.toFixed(1)} ms`
            : 'network disabled'}
        </p>
      </div>
      <div class="card">
        <h2>Oracles</h2>
        <Meter
          used={mempool.oracles.count}
          max={mempool.oracles.capacity}
          text={`${formatCount(mempool.oracles.count)} of ${formatCount(mempool.oracles.capacity)}`}
        />
        <p class="muted">
          {formatCount(mempool.capabilities.count)} capabilities, {formatCount(mempool.reports.count)} reports
        </p>
      </div>
      <div class="card">
        <h2>Offers</h2>
        <Meter
          used={mempool.offers.count}
          max={mempool.offers.capacity}
          text={`${formatCount(mempool.offers.count)} of ${formatCount(mempool.offers.capacity)}`}
        />
      </div>
      <div class="card">
        <h2>Byte budget</h2>
        <Meter
          used={mempool.bytes.used}
          max={mempool.bytes.max}
          text={`${formatBytes(mempool.bytes.used)} of ${formatBytes(mempool.bytes.max)}`}
        />
        {mempool.shard.count > 1 && (
          <p class="muted">
            shard {mempool.shard.index} of {mempool.shard.count}
          </p>
        )}
      </div>
      {stats.network && (
        <div class="card">
          <h2>Gossip</h2>
          <p class="muted">
            {formatCount(stats.network.gossip.accepted)} accepted, {formatCount(stats.network.gossip.ignored)}{' '}
            ignored, {formatCount(stats.network.gossip.rejected)} rejected;{' '}
            {formatCount(stats.network.bans.active)} peers banned
          </p>
        </div>
      )}
    </section>
  )
}

function Floors({ stats }: { stats: Stats }) {
  const { mempool } = stats
  const rows: [string, number, string][] = [
    ['oracle', mempool.minBits.oracle, formatBits(mempool.oracles.floorBits)],
    ['capability', mempool.minBits.capability, 'per oracle, on its page'],
    ['report', mempool.minBits.report, 'per oracle, on its page'],
    ['offer', mempool.minBits.offer, formatBits(mempool.offers.floorBits)],
  ]
  return (
    <section aria-labelledby="floors">
      <h2 id="floors">Admission floors</h2>
      <p class="muted">
        Below the minimum a message is invalid; under a full pool's rolling floor it must wait or carry more
        work.
      </p>
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">kind</th>
            <th scope="col">minimum bits</th>
            <th scope="col">rolling floor (bits)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([kind, min, floor]) => (
            <tr key={kind}>
              <th scope="row">{kind}</th>
              <td class="num">{min}</td>
              <td class="num">{floor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function Peers({ peers }: { peers: PeerList | undefined }) {
  if (!peers) return null
  return (
    <section aria-labelledby="peers">
      <h2 id="peers">Peers</h2>
      {peers.self.id ? (
        <p class="muted">
          This node: <Key value={peers.self.id} />
        </p>
      ) : (
        <p class="muted">This node runs without a network.</p>
      )}
      {peers.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">peer</th>
              <th scope="col">direction</th>
              <th scope="col">latency</th>
              <th scope="col">score</th>
              <th scope="col">connected</th>
            </tr>
          </thead>
          <tbody>
            {peers.items.map((peer) => (
              <tr key={peer.id}>
                <td data-label="peer">
                  <Key value={peer.id} />
                </td>
                <td data-label="direction">{peer.direction}</td>
                <td data-label="latency" class="num">
                  {peer.latencyMs === undefined ? '–' : `${peer.latencyMs.toFixed(1)} ms`}
                </td>
                <td data-label="score" class="num">
                  {peer.score.toFixed(1)}
                </td>
                <td data-label="connected" class="num">
                  {formatDuration(peer.connectedSeconds)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Recent({ live }: { live: LiveSnapshot }) {
  return (
    <section aria-labelledby="recent">
      <h2 id="recent">Latest messages</h2>
      {live.recent.length === 0 ? (
        <p class="muted">Messages admitted from now on appear here as they arrive.</p>
      ) : (
        <ul class="feed" aria-live="polite">
          {live.recent.map((event) => (
            <li key={event.seq}>
              <span class={`badge kind-${event.kind}`}>{event.kind}</span> {event.status}{' '}
              <code title={event.id}>{shortKey(event.id)}</code>{' '}
              <span class="muted">{new Date(event.at).toLocaleTimeString()}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

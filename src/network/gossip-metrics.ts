/**
 * What gossip costs on the wire, counted through gossipsub's own metrics hooks: a minimal
 * metrics register that keeps a few totals and ignores everything else (no Prometheus). The
 * copies a node receives are counted before gossipsub's seen-cache, which drops repeats before
 * our validator sees them (so the admission counters of gossip.ts count first copies only).
 */
import type { MetricsRegister, TopicStrToLabel } from '@libp2p/gossipsub/metrics'

/** Wire counters since start. */
export interface WireCounters {
  /** Message copies received from peers on message topics, repeats included (before the seen-cache). */
  received: number
  /** Of those, copies of a message already seen (dropped before validation). */
  duplicates: number
  /** Message copies sent to peers on message topics: published and forwarded. */
  sent: number
  /** IDONTWANT notices sent (gossipsub v1.2: "I have this one already"). */
  idontwantSent: number
  /**
   * Copies not sent to a peer that had said IDONTWANT for them (forwards and IWANT answers; all
   * topics, peer exchange included: gossipsub does not label this one by topic).
   */
  idontwantSkipped: number
  /** Message ids announced to this node (IHAVE) that it did not have, so asked for (IWANT). */
  iwantAsked: number
  /** Message copies sent in answer to a peer's IWANT (the gossip path; `sent` is the mesh path). */
  iwantServed: number
  /** Bytes of gossipsub RPCs sent: messages, control, peer exchange (before Yamux and Noise framing). */
  bytesSent: number
  /** Bytes of gossipsub RPCs received. */
  bytesReceived: number
}

/** Gossipsub metric names → the counter they add to (labelled by topic: only message topics count). */
const COUNTED: Record<string, { counter: keyof WireCounters; byTopic: boolean }> = {
  gossipsub_msg_received_prevalidation_total: { counter: 'received', byTopic: true },
  gossipsub_pre_validation_duplicate_total: { counter: 'duplicates', byTopic: true },
  gossipsub_msg_publish_peers_total: { counter: 'sent', byTopic: true },
  gossipsub_msg_forward_peers_total: { counter: 'sent', byTopic: true },
  gossipsub_rpc_sent_idontwant_total: { counter: 'idontwantSent', byTopic: false },
  gossipsub_idontwant_skipped_sends_total: { counter: 'idontwantSkipped', byTopic: false },
  gossipsub_ihave_rcv_not_seen_msgids_total: { counter: 'iwantAsked', byTopic: true },
  gossipsub_iwant_rcv_msgids_total: { counter: 'iwantServed', byTopic: true },
  gossipsub_rpc_sent_bytes_total: { counter: 'bytesSent', byTopic: false },
  gossipsub_rpc_recv_bytes_total: { counter: 'bytesReceived', byTopic: false },
}

/** Wire counters at zero (a node whose libp2p has not started). */
export function zeroWire(): WireCounters {
  return {
    received: 0,
    duplicates: 0,
    sent: 0,
    idontwantSent: 0,
    idontwantSkipped: 0,
    iwantAsked: 0,
    iwantServed: 0,
    bytesSent: 0,
    bytesReceived: 0,
  }
}

const noop = () => {}
const NOOP_METRIC = {
  inc: noop,
  set: noop,
  addCollect: noop,
  observe: noop,
  reset: noop,
  startTimer: () => noop,
}

/** Counts gossipsub's wire metrics for the given message topics. */
export class GossipMetrics {
  readonly counters: WireCounters = zeroWire()
  /** For gossipsub's `metricsTopicStrToLabel`: each message topic is its own label. */
  readonly topicLabels: TopicStrToLabel
  /** For gossipsub's `metricsRegister`. */
  readonly register: MetricsRegister

  constructor(messageTopics: readonly string[]) {
    this.topicLabels = new Map(messageTopics.map((topic) => [topic, topic]))
    const counters = this.counters
    const labels = this.topicLabels
    const gauge = ({ name }: { name: string }) => {
      const counted = COUNTED[name]
      if (!counted) return NOOP_METRIC
      const { counter, byTopic } = counted
      // Gauges are called as inc(value?) without labels, or inc(labels, value?) with them.
      const inc = (first?: number | Record<string, string | number>, second?: number) => {
        if (typeof first === 'object') {
          if (byTopic && !labels.has(String(first.topic))) return
          counters[counter] += second ?? 1
        } else if (!byTopic) counters[counter] += first ?? 1
      }
      return { ...NOOP_METRIC, inc }
    }
    this.register = {
      gauge,
      histogram: () => NOOP_METRIC,
      avgMinMax: () => NOOP_METRIC,
    } as unknown as MetricsRegister
  }
}

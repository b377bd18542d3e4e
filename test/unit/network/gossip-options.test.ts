/**
 * Gossipsub parameters: the node's options map onto gossipsub's, bad mesh bounds are refused,
 * the configuration and environment reach them, and the wire counters count message topics only.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GossipMetrics } from '../../../src/network/gossip-metrics.ts'
import {
  defaultNetworkOptions,
  GOSSIPSUB_DEFAULTS,
  gossipOptions,
  networkOptions,
} from '../../../src/network/options.ts'
import {
  gossipsubOptions,
  MESSAGE_TOPICS,
  PEER_EXCHANGE_TOPIC,
  topicOf,
} from '../../../src/network/topics.ts'
import { applyEnv, resolveConfig } from '../../../src/node/config.ts'

describe('gossip options', () => {
  it('map onto gossipsub’s, with Dscore and Dout in gossipsub’s proportions', () => {
    const opts = gossipsubOptions(GOSSIPSUB_DEFAULTS)
    assert.deepEqual(
      [opts.D, opts.Dlo, opts.Dhi, opts.Dscore, opts.Dout, opts.Dlazy, opts.gossipFactor],
      [6, 4, 12, 4, 2, 6, 0.25],
      'gossipsub’s own defaults come out unchanged',
    )
    assert.equal(opts.floodPublish, true)
    assert.equal(opts.idontwantMinDataSize, 512)
    const small = gossipsubOptions(gossipOptions({ meshDegree: 3, meshDegreeLow: 2, meshDegreeHigh: 6 }))
    assert.deepEqual([small.D, small.Dlo, small.Dhi, small.Dscore, small.Dout], [3, 2, 6, 2, 1])
    const ours = gossipsubOptions(defaultNetworkOptions.gossip)
    assert.ok(ours.Dout! < ours.Dlo! && ours.Dout! <= ours.D! / 2, 'Dout below Dlo and at most D / 2')
    assert.ok(ours.Dscore! <= ours.D!)
  })

  it('refuse mesh bounds out of order', () => {
    assert.throws(() => gossipOptions({ meshDegree: 3, meshDegreeLow: 4 }), RangeError)
    assert.throws(() => networkOptions({ gossip: { meshDegree: 20 } }), /meshDegreeHigh/)
    assert.equal(networkOptions({ gossip: { meshDegree: 5 } }).gossip.meshDegree, 5)
    assert.deepEqual(networkOptions().gossip, defaultNetworkOptions.gossip)
  })

  it('come from the configuration file and the environment', () => {
    const raw = applyEnv(
      { network: { gossip: { floodPublish: true } } },
      { MEGA_NETWORK__GOSSIP__MESH_DEGREE: '5', MEGA_NETWORK__GOSSIP__IDONTWANT_MIN_BYTES: '100' },
    )
    const config = resolveConfig(raw)
    assert.deepEqual(config.network.gossip, { floodPublish: true, meshDegree: 5, idontwantMinBytes: 100 })
    assert.throws(() => resolveConfig({ network: { gossip: { meshDegree: 0 } } }), /meshDegree/)
    assert.throws(() => resolveConfig({ network: { gossip: { D: 3 } } }), /D/)
  })
})

describe('wire counters', () => {
  it('count copies and bytes through gossipsub’s metrics hooks, message topics only', () => {
    const metrics = new GossipMetrics(MESSAGE_TOPICS)
    const { register } = metrics
    const gauge = (name: string) =>
      register.gauge({ name, help: '' }) as unknown as {
        inc: (a?: number | Record<string, string>, b?: number) => void
      }
    const received = gauge('gossipsub_msg_received_prevalidation_total')
    received.inc({ topic: topicOf('oracle') })
    received.inc({ topic: topicOf('offer') }, 2)
    received.inc({ topic: PEER_EXCHANGE_TOPIC }, 5)
    gauge('gossipsub_pre_validation_duplicate_total').inc({ topic: topicOf('oracle') })
    gauge('gossipsub_msg_publish_peers_total').inc({ topic: topicOf('oracle') }, 4)
    gauge('gossipsub_msg_forward_peers_total').inc({ topic: topicOf('report') }, 3)
    gauge('gossipsub_msg_forward_peers_total').inc({ topic: PEER_EXCHANGE_TOPIC }, 3)
    gauge('gossipsub_rpc_sent_bytes_total').inc(100)
    gauge('gossipsub_rpc_sent_bytes_total').inc(20)
    gauge('gossipsub_rpc_recv_bytes_total').inc(70)
    gauge('gossipsub_rpc_sent_idontwant_total').inc(2)
    // IDONTWANT savings are labelled by path, not topic: all count.
    gauge('gossipsub_idontwant_skipped_sends_total').inc({ on: 'forward' })
    gauge('gossipsub_idontwant_skipped_sends_total').inc({ on: 'iwant' })
    gauge('gossipsub_ihave_rcv_not_seen_msgids_total').inc({ topic: topicOf('oracle') }, 3)
    gauge('gossipsub_ihave_rcv_not_seen_msgids_total').inc({ topic: PEER_EXCHANGE_TOPIC }, 5)
    gauge('gossipsub_iwant_rcv_msgids_total').inc({ topic: topicOf('offer') }, 2)
    gauge('gossipsub_rpc_sent_count_total').inc(9) // not counted
    register.histogram({ name: 'gossipsub_heartbeat_duration_seconds', help: '' }).startTimer()()
    assert.deepEqual(metrics.counters, {
      received: 3,
      duplicates: 1,
      sent: 7,
      idontwantSent: 2,
      idontwantSkipped: 2,
      iwantAsked: 3,
      iwantServed: 2,
      bytesSent: 120,
      bytesReceived: 70,
    })
  })
})

/**
 * Gossip of pool messages: one topic per kind, whose validator is the node's admission. A
 * message from a peer is parsed (size limit first; its bytes must be its canonical form, so a
 * message has one gossip id and not one per spacing), handed to the one admission path, and the
 * outcome becomes gossipsub's verdict (verdicts.ts): accepted messages propagate, rejected ones
 * cost the sender score and a strike, orphans wait for their parent.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Admission, AdmissionEvents, PoolMessage } from '../mempool/index.ts'
import {
  canonicalBytes,
  type Message,
  maxBytesOf,
  messageId,
  POOL_KINDS,
  type PoolKind,
  parseCanonicalMessage,
  type TypedEventTarget,
  type Validated,
} from '../protocol/index.ts'
import type { BanList } from './bans.ts'
import type { MegaGossipSub } from './libp2p.ts'
import type { Orphan, OrphanPool } from './orphans.ts'
import { topicOf } from './topics.ts'
import { parentKeyOf, parentOf, type Verdict, verdictOf } from './verdicts.ts'

/**
 * The node's admission path for a message from a peer, parsed and validated once here: admit
 * and persist (propagation is gossipsub's, on accept).
 */
export type NetworkSubmit = (message: Validated<PoolMessage>) => Admission | Promise<Admission>

/** An orphan's payload: what to admit again once its parent is here. */
export interface Orphaned {
  kind: PoolKind
  message: Validated<PoolMessage>
}

/** Gossip counters since start. */
export interface GossipCounters {
  /** Messages from peers admitted, or valid and relayed for other shards (forwarded either way). */
  accepted: number
  /** Messages from peers dropped without penalty: duplicates, low PoW, races. */
  ignored: number
  /** Messages from peers that broke a rule: the sender was penalised. */
  rejected: number
  /** Messages from peers kept in the orphan pool. */
  orphaned: number
  /** Messages this node published: admitted locally (REST) or orphans admitted late. */
  published: number
  /**
   * Of the accepted: the first copy came from a peer in this node's mesh of the topic, the
   * fast path (a mesh peer forwarding it, or its publisher publishing along its mesh).
   */
  fromMesh: number
  /**
   * Of the accepted: the first copy came from a peer outside the mesh, in answer to this node's
   * IWANT after that peer's IHAVE (heartbeat gossip: up to a heartbeat late, or later).
   */
  fromOutsideMesh: number
}

/** Gossip counters at zero (a node whose network has not started). */
export function zeroGossipCounters(): GossipCounters {
  return { accepted: 0, ignored: 0, rejected: 0, orphaned: 0, published: 0, fromMesh: 0, fromOutsideMesh: 0 }
}

export interface GossipComponents {
  pubsub: MegaGossipSub
  submit: NetworkSubmit
  /** The node's `message:admitted` events (after commit): parents that free orphans. */
  events: TypedEventTarget<AdmissionEvents>
  bans: BanList
  orphans: OrphanPool<Orphaned>
  logger: Logger
  /** Counts one invalid message against a peer (the network bans and hangs up when it adds up). */
  strike: (peer: string, reason: string) => void
  /** Milliseconds from arrival before an accepted message is released for forwarding. */
  forwardDelayMs?: number
}

const RESULT: Record<Exclude<Verdict, 'orphan'>, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

export class Gossip {
  readonly counters: GossipCounters = zeroGossipCounters()
  readonly #c: GossipComponents
  readonly #log: Logger
  readonly #onAdmitted = (event: AdmissionEvents['message:admitted']) => this.#freeOrphans(event)
  #running = false

  constructor(components: GossipComponents) {
    this.#c = components
    this.#log = components.logger
  }

  /** Subscribes to every kind's topic with its validator, and starts freeing orphans. */
  start(): void {
    const { pubsub } = this.#c
    for (const kind of POOL_KINDS) {
      pubsub.topicValidators.set(topicOf(kind), (peer, message) => this.validate(kind, peer, message.data))
      pubsub.subscribe(topicOf(kind))
    }
    this.#c.events.addEventListener('message:admitted', this.#onAdmitted)
    this.#running = true
  }

  /** Unsubscribes; a no-op unless started (libp2p may have failed to start). */
  stop(): void {
    if (!this.#running) return
    this.#running = false
    this.#c.events.removeEventListener('message:admitted', this.#onAdmitted)
    for (const kind of POOL_KINDS) {
      this.#c.pubsub.topicValidators.delete(topicOf(kind))
      this.#c.pubsub.unsubscribe(topicOf(kind))
    }
  }

  /**
   * Publishes a message admitted here, as canonical JSON, so every node that publishes it sends
   * the same bytes and gossipsub dedupes them. `again` marks an orphan admitted late: its
   * canonical bytes are in gossipsub's seen-cache (we received and dropped them), which would
   * swallow the publish for two minutes, so it goes out with one trailing newline, which is
   * other bytes (another gossip id) but the same JSON and the same message id. Every node that
   * republishes sends the same second form, so those dedupe too.
   */
  async publish(kind: PoolKind, message: Message, again = false): Promise<void> {
    const canonical = canonicalBytes(message)
    // (A message at the exact size limit goes out as it is: too large with the newline.)
    const bytes = again && canonical.length < maxBytesOf(kind) ? withNewline(canonical) : canonical
    try {
      await this.#c.pubsub.publish(topicOf(kind), bytes)
      this.counters.published++
    } catch (error) {
      this.#log.warn({ kind, err: (error as Error).message }, 'publish failed')
    }
  }

  /** The topic validator: admission decides. Never throws (a throw would mean "ignore"). */
  async validate(kind: PoolKind, peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    const arrived = performance.now()
    const from = peer.toString()
    // Frames already in flight from a peer being hung up on.
    if (this.#c.bans.isBanned(from)) return this.#count('ignore', from)
    const parsed = parseCanonicalMessage(withoutNewline(data), kind)
    if (!parsed.ok) {
      this.#log.debug({ peer: from, kind, code: parsed.error.code }, 'unparsable gossip')
      return this.#count('reject', from)
    }
    let admission: Admission
    try {
      admission = await this.#c.submit(parsed.value)
    } catch (error) {
      this.#log.error({ kind, err: (error as Error).message }, 'admission failed')
      return this.#count('ignore', from)
    }
    const verdict = verdictOf(admission)
    if (verdict === 'orphan') return this.#orphan(kind, parsed.value, admission, from, data.length)
    if (verdict === 'reject')
      this.#log.debug({ peer: from, kind, reason: admission.reason }, 'rejected gossip')
    if (verdict === 'accept') {
      this.#countPath(kind, from, admission, arrived)
      await this.#holdForward(arrived)
    }
    return this.#count(verdict, from)
  }

  /**
   * Counts by which path an accepted first copy came (see `GossipCounters.fromMesh`); at log
   * level `trace`, one line per arrival (message id, sender, path, milliseconds to validate),
   * from which bench/propagation.ts rebuilds each message's tree: hops and late paths.
   */
  #countPath(kind: PoolKind, from: string, admission: Admission, arrived: number): void {
    const viaMesh = this.#c.pubsub.mesh.get(topicOf(kind))?.has(from) === true
    if (viaMesh) this.counters.fromMesh++
    else this.counters.fromOutsideMesh++
    if (this.#log.isLevelEnabled('trace'))
      this.#log.trace(
        {
          arrival: admission.id,
          from,
          via: viaMesh ? 'mesh' : 'outside',
          validateMs: +(performance.now() - arrived).toFixed(2),
        },
        'gossip arrival',
      )
  }

  /** See `GossipOptions.forwardDelayMs`: IDONTWANTs from mesh peers arrive meanwhile. */
  async #holdForward(arrived: number): Promise<void> {
    const wait = (this.#c.forwardDelayMs ?? 0) - (performance.now() - arrived)
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait))
  }

  #orphan(
    kind: PoolKind,
    message: Validated<PoolMessage>,
    admission: Admission,
    from: string,
    bytes: number,
  ) {
    this.counters.orphaned++
    const parent = parentOf(message)!
    const id = admission.id ?? messageId(message)
    this.#c.orphans.add({ id, parent, peer: from, bytes, value: { kind, message } })
    return TopicValidatorResult.Ignore
  }

  #count(verdict: Exclude<Verdict, 'orphan'>, from: string): TopicValidatorResult {
    this.counters[verdict === 'accept' ? 'accepted' : verdict === 'ignore' ? 'ignored' : 'rejected']++
    if (verdict === 'reject') this.#c.strike(from, 'invalid gossip')
    return RESULT[verdict]
  }

  // An oracle, capability or report was admitted (from anywhere) and persisted: admit what
  // waited for it, later, not inside the event (the other listeners come first).
  #freeOrphans(event: AdmissionEvents['message:admitted']): void {
    const { admission, message } = event.detail
    const key = parentKeyOf(message.kind as PoolKind, message, admission)
    if (key === undefined) return
    const waiting = this.#c.orphans.take(key)
    if (waiting.length > 0) setImmediate(() => void this.#admitOrphans(waiting))
  }

  async #admitOrphans(orphans: Orphan<Orphaned>[]): Promise<void> {
    for (const orphan of orphans) {
      if (!this.#running) return // the node is shutting down (its store with it)
      const { kind, message } = orphan.value
      let admission: Admission
      try {
        admission = await this.#c.submit(message)
      } catch (error) {
        this.#log.error({ kind, err: (error as Error).message }, 'admission failed')
        continue
      }
      const verdict = verdictOf(admission)
      // Peers that depend on us for it never got it (we dropped it): publish it now.
      if (verdict === 'accept') await this.publish(kind, message, true)
      else if (verdict === 'reject') this.#c.strike(orphan.peer, 'invalid gossip')
      else if (verdict === 'orphan')
        this.#c.orphans.add({
          id: orphan.id,
          parent: parentOf(message)!,
          peer: orphan.peer,
          bytes: orphan.bytes,
          value: orphan.value,
        })
    }
  }
}

/** The payload without the one trailing newline of a republished form (see `publish`). */
function withoutNewline(bytes: Uint8Array): Uint8Array {
  return bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes
}

function withNewline(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes)
  out[bytes.length] = 0x0a
  return out
}

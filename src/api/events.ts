/**
 * Server-sent events of admissions: every `message:admitted` event of the node (from the API,
 * gossip or sync, sent once the store committed it) goes to each connected client as
 * `event: <kind>` with
 * `data: {"status","id","kind","oracle","capability"}` (`oracle` and `capability`: the oracle
 * and the capability key the message concerns, when it concerns one, so a client fetches just
 * those again). Bounded: at most `maxClients` streams, a heartbeat comment
 * every `heartbeatMs` (one timer for all), and a client that lets `maxBufferedBytes` pile up
 * unsent is dropped rather than buffered without end. At most `maxClientsPerAddress` of the
 * streams from one client address, so one client cannot take every slot.
 * Conflicts the fact pool finds go out as
 * `event: fact-conflict` with `data: {"type","id","oracle","capability","evidence"}`.
 */
import type { ServerResponse } from 'node:http'
import type { FactConflict } from '../facts/index.ts'
import { ApiError, ApiErrorCode, addressKey } from '../http/index.ts'
import type { Admission, AdmissionEvents } from '../mempool/index.ts'
import type { Message, TypedEventTarget } from '../protocol/index.ts'
import type { ApiOptions } from './options.ts'

/** Headers of a stream, sent alike to `GET` and `HEAD`. */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
}

/** Payload of one event. */
export interface AdmittedEvent {
  status: Admission['status']
  id: string | undefined
  kind: string | undefined
  /** The oracle the message concerns: an ad's, a capability's, a report's or a disputed report's. */
  oracle?: string
  /** The capability key it concerns: a capability ad's, a dispute's fact's, an offer's question's. */
  capability?: string
}

/**
 * The oracle and capability key `message` concerns; a dispute names its report, whose oracle
 * `reportOracle` looks up (the report is held: a dispute enters only after it).
 */
export function subjectOf(
  message: Message,
  reportOracle: (reportId: string) => string | undefined,
): Pick<AdmittedEvent, 'oracle' | 'capability'> {
  switch (message.kind) {
    case 'oracle':
      return { oracle: message.pubkey }
    case 'capability':
      return { oracle: message.oracle, capability: message.capabilityKey }
    case 'report':
      return { oracle: message.oracle }
    case 'dispute': {
      const oracle = reportOracle(message.report)
      return { ...(oracle !== undefined && { oracle }), capability: message.fact.request.capability }
    }
    case 'offer':
      return { capability: message.terms.question.capability }
    default:
      return {}
  }
}

/** Fans mempool admissions out to the open `/events` streams. */
export class EventHub {
  readonly options: ApiOptions['events']
  readonly #source: TypedEventTarget<AdmissionEvents> | undefined
  readonly #reportOracle: (reportId: string) => string | undefined
  readonly #clients = new Set<ServerResponse>()
  /** Open streams per address key (see `addressKey`). */
  readonly #perAddress = new Map<string, number>()
  #heartbeat: ReturnType<typeof setInterval> | undefined
  #sequence = 0
  readonly #onAdmitted = (event: AdmissionEvents['message:admitted']) => {
    const { admission, message } = event.detail
    const data: AdmittedEvent = {
      status: admission.status,
      id: admission.id,
      kind: admission.kind,
      ...subjectOf(message, this.#reportOracle),
    }
    this.broadcast(
      `event: ${admission.kind ?? 'message'}\nid: ${++this.#sequence}\ndata: ${JSON.stringify(data)}\n\n`,
    )
  }

  /** Conflicts found by the fact pool, sent as `event: fact-conflict`. */
  readonly #conflicts: EventTarget | undefined
  readonly #onConflict = (event: Event) => {
    const { conflict } = (event as CustomEvent<{ conflict: FactConflict }>).detail
    const { type, id, oracle, capability, evidence } = conflict
    const data = JSON.stringify({ type, id, oracle, capability, evidence })
    this.broadcast(`event: fact-conflict\nid: ${++this.#sequence}\ndata: ${data}\n\n`)
  }

  constructor(
    source: TypedEventTarget<AdmissionEvents> | undefined,
    options: ApiOptions['events'],
    conflicts?: EventTarget,
    reportOracle: (reportId: string) => string | undefined = () => undefined,
  ) {
    this.#source = source
    this.#reportOracle = reportOracle
    this.options = options
    this.#conflicts = conflicts
  }

  /** Open streams. */
  get clients(): number {
    return this.#clients.size
  }

  /**
   * Throws a `TOO_MANY_CLIENTS` error (503) when a new client from `address` would exceed
   * `maxClients` or `maxClientsPerAddress`; call before taking over the response.
   */
  admit(address: string | undefined): void {
    if (this.#clients.size >= this.options.maxClients)
      throw new ApiError(
        ApiErrorCode.TOO_MANY_CLIENTS,
        `at most ${this.options.maxClients} event streams at once`,
      )
    const key = addressKey(address)
    if (key !== undefined && (this.#perAddress.get(key) ?? 0) >= this.options.maxClientsPerAddress)
      throw new ApiError(
        ApiErrorCode.TOO_MANY_CLIENTS,
        `at most ${this.options.maxClientsPerAddress} event streams per client address`,
      )
  }

  /**
   * Starts streaming to `response` (headers included) until the client or the hub closes it;
   * `address` is the client's.
   */
  open(response: ServerResponse, address: string | undefined): void {
    this.admit(address)
    response.writeHead(200, STREAM_HEADERS)
    response.write(`retry: 5000\n: connected\n\n`)
    this.#clients.add(response)
    const key = addressKey(address)
    if (key !== undefined) this.#perAddress.set(key, (this.#perAddress.get(key) ?? 0) + 1)
    response.on('close', () => this.#drop(response, key))
    if (this.#clients.size === 1) this.#start()
  }

  /** Answers a `HEAD`: the headers a `GET` would get, no stream. */
  head(response: ServerResponse): void {
    response.writeHead(200, STREAM_HEADERS)
    response.end()
  }

  /** Writes one event to every stream; drops those whose unsent bytes exceed the bound. */
  broadcast(frame: string): void {
    for (const client of this.#clients) {
      if (client.writableLength > this.options.maxBufferedBytes) client.destroy()
      else client.write(frame)
    }
  }

  /** Ends every stream and stops listening (on server close). */
  close(): void {
    for (const client of this.#clients) client.end()
    this.#clients.clear()
    this.#perAddress.clear()
    this.#stop()
  }

  #start(): void {
    this.#source?.addEventListener('message:admitted', this.#onAdmitted)
    this.#conflicts?.addEventListener('fact:conflict', this.#onConflict)
    this.#heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), this.options.heartbeatMs)
    this.#heartbeat.unref()
  }

  #stop(): void {
    this.#source?.removeEventListener('message:admitted', this.#onAdmitted)
    this.#conflicts?.removeEventListener('fact:conflict', this.#onConflict)
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
  }

  #drop(response: ServerResponse, key: string | undefined): void {
    if (!this.#clients.delete(response)) return
    if (key !== undefined) {
      const left = (this.#perAddress.get(key) ?? 1) - 1
      if (left > 0) this.#perAddress.set(key, left)
      else this.#perAddress.delete(key)
    }
    if (this.#clients.size === 0) this.#stop()
  }
}

/**
 * The one catalogue of reason codes: every stable `code` the project raises, with what it
 * means, the HTTP status a node (or an oracle endpoint) answers with, and what gossip does with
 * a message refused for it. Pure data, no I/O.
 *
 * The node's HTTP table (src/http/problem.ts), the oracle endpoint's, the gossip
 * verdicts (src/network/verdicts.ts) and the error tables of docs/protocol.md §9 and
 * docs/api.md are derived from it (`npm run docs:errors`), and test/unit/protocol/reasons.test.ts
 * fails when a code raised in src is missing here or the documents differ.
 *
 * A code is unique within its namespace: the node's codes (areas `protocol`, `mempool`,
 * `api`), which clients of a node see, and each other area on its own (`TOO_LARGE` is also a
 * sync code, `UNKNOWN_CAPABILITY` also an oracle endpoint code).
 */

/** Where a code is raised. */
export type ReasonArea =
  /** The protocol core (src/protocol): holds on every node, at every time. */
  | 'protocol'
  /** Mempool admission (src/mempool): depends on what this node holds, its policy or its clock. */
  | 'mempool'
  /** The node's REST API (src/api). */
  | 'api'
  /** Set reconciliation between nodes (src/sync, docs/sync.md). */
  | 'sync'
  | 'store'
  | 'network'
  /** The oracle toolkit and its endpoint (src/oracle, docs/oracles.md). */
  | 'oracle'
  /** The client of an oracle endpoint (src/client/endpoint-client.ts). */
  | 'endpoint-client'
  | 'trader'
  /** Bitcoin contracts of the trader toolkit (src/contracts, docs/contracts.md). */
  | 'contract'
  /** The node's configuration: its file, `MEGA_*` variables and `mega node` flags (src/node/config.ts). */
  | 'config'
  /** The client of a node's REST API (src/client), used by the CLI, the oracle and the trader tools. */
  | 'client'
  /** The `mega` command line itself (src/cli). */
  | 'cli'

/**
 * What gossip does with a message: `accept` forwards it; `ignore` drops it and the peer keeps
 * its score (honest peers may differ: this node's state, policy or clock); `reject` drops it
 * and counts against the peer (it breaks a rule that holds on every node at every time);
 * `orphan` keeps it until the message it refers to arrives.
 */
export type GossipAction = 'accept' | 'ignore' | 'reject' | 'orphan'

export interface Reason {
  readonly code: string
  readonly area: ReasonArea
  /** HTTP status of a response carrying the code; null when it is never sent over HTTP. */
  readonly http: number | null
  /**
   * Gossip action for a message refused with the code; null when gossip never sees it. For
   * sync codes, whether the peer is struck for it (`reject`) or not (`ignore`). A check that
   * knows better where it fails (a deadline judged by the receiver's clock) says so in its
   * error's `details.gossip`, which gossip follows instead.
   */
  readonly gossip: GossipAction | null
  /** When it is raised, for a person implementing a compatible node. */
  readonly meaning: string
}

const PROTOCOL = [
  // encoding
  {
    code: 'TOO_LARGE',
    http: 413,
    gossip: 'reject',
    meaning:
      'the message exceeds 65,536 bytes (1,048,576 when a manifest is expected), measured on its canonical form with proofs `JCS(m)` (§2), the bytes a node publishes, at every entry point (checked after the PoW, before the signatures; a receiver may refuse raw input over the limit before parsing it); or a request body exceeds the API `bodyLimit`; `details.limit`',
  },
  {
    code: 'BAD_JSON',
    http: 400,
    gossip: 'reject',
    meaning:
      'the bytes are not valid UTF-8, or not valid JSON (an empty body included; between nodes, bytes that start with a byte order mark)',
  },
  {
    code: 'NOT_CANONICALIZABLE',
    http: 422,
    gossip: 'reject',
    meaning:
      'computing the canonical form fails (§2): a lone UTF-16 surrogate, nesting deeper than 32, a non-finite number',
  },
  {
    code: 'NOT_CANONICAL',
    http: 422,
    gossip: 'reject',
    meaning:
      'gossip and sync only: the bytes received are not exactly `JCS` of the message they parse to (§2; one trailing newline is tolerated on gossip); REST accepts any JSON layout',
  },
  {
    code: 'BAD_HEX',
    http: 422,
    gossip: 'reject',
    meaning:
      'a key, signature or nonce handed to the API is not even-length lowercase hex (a schema-valid message cannot hit it)',
  },
  {
    code: 'BAD_LENGTH',
    http: 422,
    gossip: 'reject',
    meaning:
      'decoded bytes of the wrong length; a bip340 digest or `aux_rand` that is not 32 bytes (API input)',
  },
  // schema
  {
    code: 'SCHEMA_VIOLATION',
    http: 422,
    gossip: 'reject',
    meaning:
      'the value is not a JSON object (`path: "/"`), does not match its kind’s schema (§6), or breaks an intrinsic rule (§6.2, §6.8: schnorr attestation with a non-bip340 key, a parameter name declared twice, a placeholder naming no parameter, offer `seqNo` ≠ stage, a finalization without acceptance, a bet on both sides, self-acceptance, a hash-lock commitment repeating an answer or a hash §4.3); `details.path` names the first problem',
  },
  {
    code: 'UNKNOWN_KIND',
    http: 422,
    gossip: 'reject',
    meaning:
      '`kind` is missing or not one of the eight kinds, not the kind expected at that entry point (route, topic), or not a kind nodes keep (`commitment`, `fact`, `manifest` submitted to a node); `path: "/kind"`',
  },
  // keys and signatures
  {
    code: 'UNKNOWN_SCHEME',
    http: 422,
    gossip: 'reject',
    meaning:
      'a scheme other than `ed25519` or `bip340` handed to the API (the schema refuses it in messages)',
  },
  {
    code: 'BAD_KEY',
    http: 422,
    gossip: 'reject',
    meaning:
      'a bip340 public key that is not the x coordinate of a curve point (reported when its signature fails, §4.2); a bip340 secret key outside 1 … n−1',
  },
  {
    code: 'SIGNATURE_MISSING',
    http: 422,
    gossip: 'reject',
    meaning:
      'the message names a signer but carries no `signature` (`path: "/signature"`); signing a report that names no `reporter`',
  },
  {
    code: 'SIGNATURE_INVALID',
    http: 422,
    gossip: 'reject',
    meaning:
      'a signature does not verify (`details.path` names which, §4.4), a capability’s `keyProof` included (`/keyProof`); a `signature` on a message that names no signer; from `verifySignatures` alone, a finalization without acceptance (`/finalization`)',
  },
  // proof of work
  {
    code: 'POW_MISSING',
    http: 422,
    gossip: 'reject',
    meaning: 'the kind carries no PoW where one is required, or `pow` is absent',
  },
  {
    code: 'POW_INVALID',
    http: 422,
    gossip: 'reject',
    meaning: 'malformed `pow`, or `hash` is not `H(H(bound) ‖ nonce)` (§5)',
  },
  {
    code: 'POW_BITS_OVERSTATED',
    http: 422,
    gossip: 'reject',
    meaning: 'the hash has fewer leading zero bits than `pow.bits` claims',
  },
  {
    code: 'POW_TOO_WEAK',
    http: 422,
    gossip: 'ignore',
    meaning:
      'claimed bits below the receiver’s fixed minimum for the kind (a node policy, `minBits`); details `claimed`, `required`',
  },
  {
    code: 'MINING_CANCELLED',
    http: 422,
    gossip: null,
    meaning: 'local only: a mining job was cancelled; never sent on the wire',
  },
  // report evidence
  {
    code: 'EVIDENCE_INVALID',
    http: 422,
    gossip: 'reject',
    meaning:
      'a report’s evidence does not hold (§7), or a dispute’s fact does not answer its report; `details.path` names the part at fault. A `fact-missing` report whose deadline has not passed by the receiver’s clock is refused at `/content/commitment/deadline`; judged by the receiver’s clock, that refusal is no fault of the sender, so gossip ignores it instead of rejecting',
  },
  // oracle requests and answers
  {
    code: 'REQUEST_INVALID',
    http: 422,
    gossip: null,
    meaning:
      'oracle endpoint: a fact request’s argument is missing, unknown, or not one of its parameter’s values, or the request is for another capability key (`details.path`)',
  },
  {
    code: 'ANSWER_INVALID',
    http: 422,
    gossip: null,
    meaning: 'oracle endpoint: an answer is not one of the capability’s answers',
  },
] as const

const MEMPOOL = [
  {
    code: 'UNKNOWN_ORACLE',
    http: 422,
    gossip: 'orphan',
    meaning: 'a capability or report for an oracle key this node does not hold (`path: "/oracle"`)',
  },
  {
    code: 'UNKNOWN_CAPABILITY',
    http: 422,
    gossip: 'orphan',
    meaning: 'an offer on a capability key this node does not hold (`path: "/terms/question/capability"`)',
  },
  {
    code: 'UNKNOWN_REPORT',
    http: 422,
    gossip: 'orphan',
    meaning: 'a dispute of a report this node does not hold (`path: "/report"`)',
  },
  {
    code: 'STALE_SEQNO',
    http: 422,
    gossip: 'ignore',
    meaning: 'an ad or offer with a lower `seqNo` than the one held for its entity key',
  },
  {
    code: 'SEQNO_CONFLICT',
    http: 422,
    gossip: 'ignore',
    meaning:
      'an ad with the `seqNo` held for its entity key but other content (an offer in that case is a `duplicate`, reason attached)',
  },
  {
    code: 'KEY_TAKEN',
    http: 422,
    gossip: 'ignore',
    meaning: 'a capability key already advertised by another oracle (`path: "/capabilityKey"`)',
  },
  {
    code: 'SCHEME_MISMATCH',
    http: 422,
    gossip: 'ignore',
    meaning: 'a capability whose `oracleScheme` is not the scheme of the held oracle ad',
  },
  {
    code: 'NOT_DISPUTABLE',
    http: 422,
    gossip: 'reject',
    meaning: 'a dispute of a held report that is not a `fact-missing` report',
  },
  {
    code: 'DISPUTE_MISMATCH',
    http: 422,
    gossip: 'ignore',
    meaning:
      'a dispute whose fact does not answer the committed request, is not of the advertised capability (scheme, answers, signature) or breaks the commitment’s attestation; `details.path` under `/fact`',
  },
  {
    code: 'ALREADY_DISPUTED',
    http: 422,
    gossip: 'ignore',
    meaning:
      'a valid dispute of a report that already holds another valid dispute with a lower id (the lower id is kept whatever the order of arrival, §6.7); depends on what this node holds',
  },
  {
    code: 'OFFER_TERMS',
    http: 422,
    gossip: 'ignore',
    meaning:
      'an offer whose payout curve does not fit the held capability (a curve only on a numeric one of its digits), whose bets are not its answers, or whose arguments are missing, unknown or not among the parameter’s values',
  },
  {
    code: 'EXPIRED',
    http: 422,
    gossip: 'ignore',
    meaning:
      'an offer whose `terms.expires` plus the tolerated clock skew (300 s by default) is before the receiver’s clock',
  },
  {
    code: 'LOW_POW',
    http: 409,
    gossip: 'ignore',
    meaning:
      'valid, but not enough work to enter the pool now (under its rolling floor or its weakest entry, an update with less work than held, or too little work per byte for the byte budget); `requiredBits`, `floorBits` when known',
  },
] as const

const API = [
  {
    code: 'BAD_REQUEST',
    http: 400,
    gossip: null,
    meaning: 'a request the API does not understand: query parameters, headers, content length, URL',
  },
  {
    code: 'BAD_CURSOR',
    http: 400,
    gossip: null,
    meaning: 'a paging cursor this node did not issue for this listing',
  },
  { code: 'NOT_FOUND', http: 404, gossip: null, meaning: 'no such route or entry' },
  {
    code: 'REQUEST_TIMEOUT',
    http: 408,
    gossip: null,
    meaning:
      'the request’s headers and body did not arrive whole within the request deadline (`requestTimeoutMs`, 10 s by default); the connection is closed',
  },
  {
    code: 'URI_TOO_LONG',
    http: 414,
    gossip: null,
    meaning: 'a path segment is longer than the router takes (100 characters)',
  },
  {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    http: 415,
    gossip: null,
    meaning: 'a body that is not `application/json`',
  },
  {
    code: 'UNSUPPORTED_CHARSET',
    http: 415,
    gossip: null,
    meaning:
      'a JSON body declared in a charset other than UTF-8 (`charset=utf-8` in any case, quoted or not, is accepted)',
  },
  {
    code: 'RATE_LIMITED',
    http: 429,
    gossip: null,
    meaning: 'too many POSTs from this client address in the window; see `Retry-After`',
  },
  {
    code: 'HEADERS_TOO_LARGE',
    http: 431,
    gossip: null,
    meaning: 'the request line and headers exceed 16 KiB (a path that long included)',
  },
  {
    code: 'INTERNAL',
    http: 500,
    gossip: null,
    meaning: 'the node failed; the details are in its log, not in the response',
  },
  {
    code: 'TOO_MANY_CLIENTS',
    http: 503,
    gossip: null,
    meaning: 'too many concurrent `/events` streams, in all or from this address',
  },
  {
    code: 'TOO_MANY_CONNECTIONS',
    http: 503,
    gossip: null,
    meaning:
      'too many open connections from this address (`maxConnectionsPerAddress`; IPv6 counted per /64); refused before any request is read',
  },
  {
    code: 'SHUTTING_DOWN',
    http: 503,
    gossip: null,
    meaning: 'the server is shutting down; a request already received is still answered',
  },
  // the fact pool and the relay (docs/api.md, "Relay and facts")
  {
    code: 'CAPABILITY_NOT_HELD',
    http: 404,
    gossip: null,
    meaning:
      'a relayed request, or a commitment or fact given to the fact pool, names a capability key this node holds no ad for',
  },
  {
    code: 'CAPABILITY_OFF',
    http: 410,
    gossip: null,
    meaning:
      'a relayed commitment request for a capability whose ad, as this node holds it, is switched off (the oracle’s own code for it)',
  },
  {
    code: 'FACT_POOL_FULL',
    http: 503,
    gossip: null,
    meaning: 'every record the fact pool could evict is pinned evidence of a conflict',
  },
  {
    code: 'RELAY_FORBIDDEN',
    http: 403,
    gossip: null,
    meaning: 'the relay does not serve this client address (`relay.clients`)',
  },
  {
    code: 'RELAY_BUSY',
    http: 503,
    gossip: null,
    meaning:
      'too many relayed requests in flight for this client or this oracle, or the oracle’s relayed calls for the minute are spent; see `Retry-After`',
  },
  {
    code: 'UNKNOWN',
    http: null,
    gossip: null,
    meaning:
      'a relayed request the oracle refused without a readable code; the response keeps the oracle’s status',
  },
  {
    code: 'UPSTREAM_FAILED',
    http: 502,
    gossip: null,
    meaning:
      'the oracle endpoint could not be reached in time, or answered something that does not verify (it is never passed on)',
  },
] as const

// `reject`: only a faulty or hostile peer causes it, so it strikes the peer as an invalid gossip
// message does; `ignore`: a slow, gone or rate-limited peer, or an honest one of another release.
const SYNC = [
  { code: 'TRUNCATED', gossip: 'reject', meaning: 'a sync message or frame ended in the middle of a field' },
  {
    code: 'TRAILING_BYTES',
    gossip: 'reject',
    meaning: 'bytes left after the last field of a message consumed whole',
  },
  {
    code: 'BAD_VARINT',
    gossip: 'reject',
    meaning: 'a varint longer than 5 bytes, above 2^32 − 1, or not minimally encoded',
  },
  { code: 'BAD_VERSION', gossip: 'ignore', meaning: 'a sync message of another protocol version' },
  { code: 'BAD_MODE', gossip: 'reject', meaning: 'a range mode other than skip, fingerprint and id list' },
  {
    code: 'BAD_BOUND',
    gossip: 'reject',
    meaning: 'a bound’s id prefix longer than 32 bytes, or bounds that do not strictly increase',
  },
  {
    code: 'BAD_ID_LIST',
    gossip: 'reject',
    meaning: 'ids of an id list not strictly increasing, or outside their range',
  },
  { code: 'TOO_LARGE', gossip: 'reject', meaning: 'a frame, message, list or count above its limit' },
  {
    code: 'BAD_FRAME',
    gossip: 'reject',
    meaning: 'an unknown frame type, or one not expected at this point of a session',
  },
  { code: 'SESSION_LIMIT', gossip: 'reject', meaning: 'more rounds, requests or ids than a session allows' },
  { code: 'REMOTE_ERROR', gossip: 'ignore', meaning: 'the peer answered with an error frame' },
  { code: 'TIMEOUT', gossip: 'ignore', meaning: 'the peer was too slow, or the session ran out of time' },
  { code: 'RATE_LIMITED', gossip: 'ignore', meaning: 'the peer asked more often than its rate limit allows' },
  { code: 'CLOSED', gossip: 'ignore', meaning: 'the stream closed before the session was over' },
  {
    code: 'INTERNAL',
    gossip: 'ignore',
    meaning: 'sent in an error frame by a side that failed on its own (not for the peer’s input)',
  },
] as const

const STORE = [
  { code: 'STORE_LOCKED', meaning: 'another process holds the database: one node per data directory' },
  { code: 'STORE_TOO_NEW', meaning: 'the database was written by a newer version' },
  { code: 'STORE_OPEN_FAILED', meaning: 'the data directory or database file cannot be opened or created' },
  { code: 'STORE_CLOSED', meaning: 'the store was used after `close()`' },
] as const

const NETWORK = [
  { code: 'NODE_KEY_CORRUPT', meaning: 'the node key file does not hold a libp2p private key' },
  { code: 'NODE_KEY_UNREADABLE', meaning: 'the node key file cannot be read or created' },
  {
    code: 'BAD_MULTIADDR',
    meaning: 'a configured multiaddr does not parse, or a bootstrap address lacks its `/p2p/<peer id>`',
  },
  {
    code: 'LISTEN_FAILED',
    meaning:
      'a listening socket (the REST API’s or a peer-to-peer one) cannot be opened: the address is in use, needs privileges or is not local (`details.service`, `address`, `reason`)',
  },
] as const

const ORACLE = [
  { code: 'KEYSTORE_EXISTS', http: null, meaning: '`init` would overwrite an oracle or keystore' },
  { code: 'KEYSTORE_MISSING', http: null, meaning: 'no keystore: run `init`' },
  { code: 'KEYSTORE_CORRUPT', http: null, meaning: 'not a keystore, or unsupported parameters' },
  {
    code: 'WRONG_PASSPHRASE',
    http: null,
    meaning: 'the passphrase does not open it (or the file was edited)',
  },
  {
    code: 'PASSPHRASE_MISSING',
    http: null,
    meaning: 'no passphrase source, an empty passphrase, or a cancelled prompt',
  },
  {
    code: 'STATE_INVALID',
    http: null,
    meaning: '`oracle.json` unreadable or inconsistent; keystore of another oracle',
  },
  { code: 'NOT_MINED', http: null, meaning: 'run `mega oracle mine` first' },
  { code: 'UNKNOWN_CAPABILITY', http: 404, meaning: 'no capability with that label or key' },
  {
    code: 'CAPABILITY_EXISTS',
    http: null,
    meaning: 'label in use; dropping a capability that is still on',
  },
  { code: 'CAPABILITY_OFF', http: 410, meaning: 'switched off: no new commitments' },
  { code: 'SOURCE_CONFIG', http: null, meaning: 'malformed fact source configuration' },
  {
    code: 'SOURCE_FAILED',
    http: 502,
    meaning: 'the source failed (exit code, timeout, HTTP error, unreadable file)',
  },
  {
    code: 'SOURCE_ANSWER_INVALID',
    http: 502,
    meaning: 'the source answered outside the capability’s answers',
  },
  {
    code: 'SOURCE_ANSWER_CHANGED',
    http: 502,
    meaning: 'the source answers differently from a fact already signed (answer journal)',
  },
  { code: 'FACT_NOT_READY', http: 409, meaning: 'the source does not know the answer yet' },
  {
    code: 'COMMITMENT_INVALID',
    http: 422,
    meaning: 'the commitment was not signed by this capability’s key, or not in its terms',
  },
  { code: 'PAYMENT_REQUIRED', http: 402, meaning: 'the payment check refused' },
  { code: 'BUSY', http: 503, meaning: 'too many lookups in flight' },
] as const

const ENDPOINT_CLIENT = [
  {
    code: 'UNREACHABLE',
    meaning: 'the endpoint could not be reached, timed out, or answered something that is not JSON',
  },
  { code: 'REFUSED', meaning: 'the endpoint refused the request (`details.status`, `details.problemCode`)' },
  { code: 'BAD_ANSWER', meaning: 'the endpoint answered, but what it signed does not verify' },
] as const

const TRADER = [
  { code: 'POLICY_INVALID', meaning: 'a reputation policy file is not JSON or breaks the policy schema' },
  { code: 'IMPORT_INVALID', meaning: 'an import file is not a trader export, or holds an invalid message' },
  { code: 'MESSAGE_INVALID', meaning: 'a message from a node, an endpoint or a file breaks the protocol' },
  { code: 'NODE_RESPONSE_INVALID', meaning: 'a node answered something its API does not promise' },
  { code: 'ENDPOINT_INVALID', meaning: 'an oracle endpoint answered something unusable' },
  { code: 'ENDPOINT_UNREACHABLE', meaning: 'the oracle endpoint cannot be reached or refused the request' },
  { code: 'REPORT_REFUSED', meaning: 'a report the protocol verifier would refuse, so it is not posted' },
  { code: 'NOT_FOUND', meaning: 'what the command needs is not in the trader store' },
  { code: 'KEY_MISSING', meaning: 'no trader key in the data directory' },
  { code: 'KEY_LOCKED', meaning: 'the trader key is encrypted and no (or a wrong) passphrase was given' },
  { code: 'KEY_EXISTS', meaning: 'a trader key already exists in the data directory' },
  { code: 'OFFER_STATE', meaning: 'an offer cannot be accepted or finalized in its current state' },
  { code: 'SEAL_INVALID', meaning: 'sealed details could not be opened (wrong key or altered)' },
  { code: 'STORE_FAILED', meaning: 'the trader store cannot be opened or was written by a newer version' },
] as const

const CONTRACT = [
  {
    code: 'CONTRACT_MESSAGE_INVALID',
    meaning: 'a contract message or file breaks its schema, or its version is unknown',
  },
  {
    code: 'CONTRACT_TERMS_MISMATCH',
    meaning: 'the contract terms do not follow from the offer (amounts, payouts, answers, chain, parties)',
  },
  {
    code: 'CONTRACT_COMMITMENT_INVALID',
    meaning: 'the oracle commitment is not a signed Schnorr commitment on the offer’s question',
  },
  {
    code: 'CONTRACT_SIGNATURE_INVALID',
    meaning: 'a counterparty’s adaptor, refund or funding signature does not verify; nothing is signed',
  },
  {
    code: 'CONTRACT_FUNDING_INVALID',
    meaning: 'a funding PSBT is unusable: unknown input type, no previous output, another transaction',
  },
  { code: 'CONTRACT_ADDRESS_INVALID', meaning: 'an address is malformed or belongs to another network' },
  {
    code: 'CONTRACT_STATE',
    meaning: 'the step does not fit the contract’s state (signing twice, settling before signing)',
  },
  {
    code: 'CONTRACT_REFUND_TOO_EARLY',
    meaning: 'the refund transaction is not valid yet: its locktime lies ahead',
  },
  {
    code: 'CONTRACT_FACT_INVALID',
    meaning: 'the fact does not attest this contract’s commitment (answer, nonce, signature)',
  },
  { code: 'CONTRACT_DLC_UNAVAILABLE', meaning: 'the DLC library cannot be loaded on this platform' },
  {
    code: 'CONTRACT_BROADCAST_FAILED',
    meaning: 'an Esplora endpoint refused or did not take the transaction',
  },
  {
    code: 'CONTRACT_EXPORT_UNAVAILABLE',
    meaning:
      'the message cannot be written in dlcspecs’ form from this side (a coin without its previous transaction)',
  },
  {
    code: 'CONTRACT_TOO_LARGE',
    meaning: 'a quorum contract needs more adaptor signatures per side than the cap (4 096 combinations)',
  },
  {
    code: 'CONTRACT_NO_QUORUM',
    meaning: 'the facts held do not have k requests agreeing on one outcome: no CET can be completed',
  },
] as const

const CONFIG = [
  {
    code: 'CONFIG_UNREADABLE',
    meaning: 'the configuration file cannot be read (`details.source` names it, `reason` the system’s code)',
  },
  { code: 'CONFIG_NOT_JSON', meaning: 'the configuration file is not JSON (`details.source`)' },
  {
    code: 'CONFIG_INVALID',
    meaning:
      'an option breaks the configuration schema (docs/configuration.md): `details.key` names it, `source` the file, `MEGA_*` variable or flag it came from, `expected` what it takes',
  },
] as const

const CLIENT = [
  {
    code: 'NODE_UNREACHABLE',
    meaning: 'the node cannot be reached in time, or answered something that is not JSON',
  },
] as const

const CLI = [
  {
    code: 'USAGE',
    meaning:
      'the command was called wrongly: an unknown command or option, a flag’s value, a missing argument',
  },
  {
    code: 'INPUT_INVALID',
    meaning:
      'an input the command was given (file, standard input, URL, reference) cannot be read, is too large, or is not what the command takes',
  },
  {
    code: 'DEVNET_FAILED',
    meaning: 'a node of `mega devnet` exited or did not start in time (its `node.log` says why)',
  },
] as const

// Rows may omit what does not apply: no HTTP status, no gossip action.
type Row = { code: string; meaning: string; http?: number | null; gossip?: GossipAction | null }

/** The rows of one area, with their area and the defaults filled in, their literal types kept. */
function rows<const A extends ReasonArea, const R extends readonly Row[]>(area: A, list: R) {
  return list.map((row) => ({ http: null, gossip: null, ...row, area })) as {
    [I in keyof R]: R[I] & { area: A; http: R[I] extends { http: infer H } ? H : null } & {
      gossip: R[I] extends { gossip: infer G } ? G : null
    }
  }
}

/** Every reason code, by area. */
export const REASONS = [
  ...rows('protocol', PROTOCOL),
  ...rows('mempool', MEMPOOL),
  ...rows('api', API),
  ...rows('sync', SYNC),
  ...rows('store', STORE),
  ...rows('network', NETWORK),
  ...rows('oracle', ORACLE),
  ...rows('endpoint-client', ENDPOINT_CLIENT),
  ...rows('trader', TRADER),
  ...rows('contract', CONTRACT),
  ...rows('config', CONFIG),
  ...rows('client', CLIENT),
  ...rows('cli', CLI),
] as const satisfies readonly Reason[]

/** The areas whose codes a client of a node sees: one namespace, no code twice. */
export const NODE_AREAS: readonly ReasonArea[] = ['protocol', 'mempool', 'api']

/** A code of `area`. */
export type ReasonCode<A extends ReasonArea = ReasonArea> = Extract<
  (typeof REASONS)[number],
  { area: A }
>['code']

/** The reasons of the given areas, in catalogue order. */
export function reasonsOf(...areas: readonly ReasonArea[]): readonly Reason[] {
  return REASONS.filter((reason) => areas.includes(reason.area))
}

/** The reason a node answers for `code` (protocol, mempool and API codes), if it is one. */
export function nodeReason(code: string): Reason | undefined {
  return NODE_REASONS.get(code)
}

const NODE_REASONS: ReadonlyMap<string, Reason> = new Map(
  reasonsOf(...NODE_AREAS).map((reason) => [reason.code, reason]),
)

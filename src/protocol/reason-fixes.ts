/**
 * What to do about each code of the catalogue (reasons.ts), for the person who meets it: the
 * sender of a refused message, the operator of a node or an oracle, the user of a command.
 * Kept beside the catalogue, one entry per code of each area: the type checker refuses a code
 * without its entry and an entry without its code. docs/errors.md is rendered from both.
 */
import type { ReasonArea, ReasonCode } from './reasons.ts'

type Fixes = { readonly [A in ReasonArea]: Readonly<Record<ReasonCode<A>, string>> }

export const REASON_FIXES: Fixes = {
  protocol: {
    TOO_LARGE:
      'Send less: shorten free text, drop optional fields, split a manifest; the limit is on the canonical bytes.',
    BAD_JSON: 'Send UTF-8 JSON text, one value, not empty.',
    NOT_CANONICALIZABLE: 'Remove lone surrogates, nest at most 32 deep, use finite numbers only.',
    NOT_CANONICAL:
      'Send `JCS(m)` byte for byte (sorted keys, no spaces, canonical numbers): serialize with a JCS library.',
    BAD_HEX: 'Give keys, signatures and nonces as even-length lowercase hex.',
    BAD_LENGTH: 'Give the length the field takes (32-byte keys and digests, 64-byte signatures).',
    SCHEMA_VIOLATION: 'Fix the field `details.path` names, as protocol.md §6 describes the kind.',
    UNKNOWN_KIND:
      'Send one of the kinds the entry point takes (the route or topic names it); commitments and facts go to oracle endpoints, not nodes.',
    UNKNOWN_SCHEME: 'Use `ed25519` or `bip340`.',
    BAD_KEY:
      'Use a valid key of the scheme: a bip340 key must be a curve point’s x, a secret key in 1 … n−1.',
    SIGNATURE_MISSING: 'Sign the message with the key it names (`mega keygen`, the toolkits sign for you).',
    SIGNATURE_INVALID:
      'Sign again after the last change: any edit after signing breaks the signature; check the key matches the one named.',
    POW_MISSING: 'Mine the message (`mega mine`) before sending it.',
    POW_INVALID: 'Mine again after the last change to the bound fields; do not edit `pow`.',
    POW_BITS_OVERSTATED: 'Claim in `pow.bits` no more than the hash has; mine more to claim more.',
    POW_TOO_WEAK: 'Mine at least `details.required` bits (`GET /stats` shows the node’s minimums).',
    MINING_CANCELLED:
      'Nothing: the mining job was stopped on request; start it again to go on (the oracle resumes from its checkpoint).',
    EVIDENCE_INVALID:
      'Report only what the evidence proves (protocol.md §7); for `fact-missing`, wait until the deadline plus the skew has passed.',
    REQUEST_INVALID:
      'Ask with every parameter of the capability, each with one of its values, for this capability’s key.',
    ANSWER_INVALID: 'Answer with one of the capability’s answers (fix the fact source).',
  },
  mempool: {
    UNKNOWN_ORACLE: 'Send the oracle ad first (sync and gossip retry orphans by themselves).',
    UNKNOWN_CAPABILITY: 'Send the capability first, or check the capability key.',
    UNKNOWN_REPORT: 'Send the report first, or check the report id.',
    STALE_SEQNO: 'Nothing, or publish with a higher `seqNo` than the one held.',
    SEQNO_CONFLICT: 'Publish a change with a higher `seqNo`.',
    KEY_TAKEN: 'Advertise the capability under a new capability key.',
    SCHEME_MISMATCH: 'Sign the capability with the scheme of the oracle’s ad.',
    NOT_DISPUTABLE: 'Dispute only `fact-missing` reports; answer other reports with your own report.',
    DISPUTE_MISMATCH:
      'Dispute with the fact that answers the committed request, signed by the capability’s key.',
    ALREADY_DISPUTED: 'Nothing: the report is disputed already.',
    OFFER_TERMS: 'Bet on answers of the capability and give each parameter one of its values.',
    EXPIRED: 'Post a new offer with a later `terms.expires`; check the sender’s clock.',
    LOW_POW: 'Mine more: at least `details.requiredBits`, then send again.',
  },
  api: {
    BAD_REQUEST: 'Fix the request as the message says (docs/api.md lists each endpoint’s parameters).',
    BAD_CURSOR: 'Start the listing again without `cursor`, then pass each page’s `next` unchanged.',
    NOT_FOUND: 'Check the path and the key; the node may have evicted the entry.',
    REQUEST_TIMEOUT: 'Send the whole request promptly; on a slow link, send less at a time.',
    URI_TOO_LONG: 'Use path segments of at most 100 characters (keys are 64).',
    UNSUPPORTED_MEDIA_TYPE: 'Send `content-type: application/json`.',
    UNSUPPORTED_CHARSET: 'Send the body as UTF-8, and say so or say nothing.',
    RATE_LIMITED: 'Wait `Retry-After` seconds; spread posts out.',
    HEADERS_TOO_LARGE: 'Send less than 16 KiB of request line and headers.',
    INTERNAL: 'Report it to the node’s operator: the node’s log has the failure.',
    TOO_MANY_CLIENTS: 'Close other `/events` streams, or retry later.',
    TOO_MANY_CONNECTIONS: 'Reuse connections (keep-alive) instead of opening many.',
    SHUTTING_DOWN: 'Retry on another node, or once this one is back.',
    CAPABILITY_NOT_HELD: 'Ask a node that holds the capability’s ad, or the oracle directly.',
    CAPABILITY_OFF: 'Pick another capability: this one takes no new commitments.',
    FACT_POOL_FULL: 'Retry later; the operator may raise `facts.maxRecords`.',
    RELAY_FORBIDDEN: 'Ask the oracle directly, or a node whose `relay.clients` admits you.',
    RELAY_BUSY: 'Wait `Retry-After` seconds.',
    UNKNOWN: 'Ask the oracle directly to see its refusal.',
    UPSTREAM_FAILED: 'Retry later, or ask the oracle directly; a bad answer may be worth a report.',
  },
  sync: {
    TRUNCATED: 'Fix the peer’s encoder (docs/sync.md §4); the session is over.',
    TRAILING_BYTES: 'Fix the peer’s encoder: nothing may follow the last field.',
    BAD_VARINT: 'Encode varints minimally, at most 5 bytes.',
    BAD_VERSION: 'Run the same protocol version on both nodes.',
    BAD_MODE: 'Use modes 0, 1 and 2 only.',
    BAD_BOUND: 'Send bounds in strictly increasing order, prefixes of at most 32 bytes.',
    BAD_ID_LIST: 'Send ids in strictly increasing order, inside their range.',
    TOO_LARGE: 'Keep frames and messages within the limits of docs/sync.md §9.',
    BAD_FRAME: 'Follow the session’s order of frames (docs/sync.md §7).',
    SESSION_LIMIT: 'Stay within a session’s budgets of rounds, requests and ids.',
    REMOTE_ERROR: 'Read the code the peer sent in its log line; nothing to do here.',
    TIMEOUT: 'Nothing: the next session retries; check the link if it persists.',
    RATE_LIMITED: 'Nothing: sync less often than the peer’s rate limit.',
    CLOSED: 'Nothing: the next session retries.',
    INTERNAL: 'The peer failed on its own side; its operator has the log.',
  },
  store: {
    STORE_LOCKED: 'Stop the other node using this data directory, or give this one its own (`--data`).',
    STORE_TOO_NEW: 'Run the newer version, or start from an empty data directory.',
    STORE_OPEN_FAILED: 'Check that the data directory exists or can be created, and is writable.',
    STORE_CLOSED: 'A bug: report it with the log.',
  },
  network: {
    NODE_KEY_CORRUPT: 'Restore the node key from a backup, or delete it to get a new peer id.',
    NODE_KEY_UNREADABLE: 'Check the permissions of the data directory and its node key file.',
    BAD_MULTIADDR: 'Fix the address (`/ip4/…/tcp/…`); end bootstrap addresses with `/p2p/<peer id>`.',
    LISTEN_FAILED:
      'Choose another address or port (`--http`, `--p2p`, the config or `MEGA_*`), or stop what holds it.',
  },
  oracle: {
    KEYSTORE_EXISTS: 'Use another `--dir`, or keep the existing oracle.',
    KEYSTORE_MISSING: 'Run `mega oracle init` first, or point `--dir` at the oracle.',
    KEYSTORE_CORRUPT: 'Restore the keystore from its backup (`mega oracle backup`).',
    WRONG_PASSPHRASE: 'Give the passphrase the keystore was made with.',
    PASSPHRASE_MISSING: 'Give a passphrase: `--passphrase-file`, `MEGA_ORACLE_PASSPHRASE` or the prompt.',
    STATE_INVALID: 'Run `mega oracle init`, or restore `oracle.json` and its keystore together.',
    NOT_MINED: 'Run `mega oracle mine` first.',
    UNKNOWN_CAPABILITY: 'Check the label or key (`mega oracle capability list`).',
    CAPABILITY_EXISTS: 'Choose another label, or switch the capability off before dropping it.',
    CAPABILITY_OFF: 'Pick another capability of the oracle.',
    SOURCE_CONFIG: 'Fix the fact source options (docs/oracles.md, fact sources).',
    SOURCE_FAILED: 'Check the source (command, URL, file); the request may be retried.',
    SOURCE_ANSWER_INVALID: 'Make the source answer one of the capability’s answers.',
    SOURCE_ANSWER_CHANGED:
      'Check the source: a signed fact never changes; the journal keeps the first answer.',
    FACT_NOT_READY: 'Ask again later, after the event.',
    COMMITMENT_INVALID: 'Send the commitment this capability’s endpoint signed, unchanged.',
    PAYMENT_REQUIRED: 'Pay as the oracle’s terms say, then ask again.',
    BUSY: 'Retry shortly.',
  },
  'endpoint-client': {
    UNREACHABLE: 'Check the endpoint URL and that the oracle is serving.',
    REFUSED: 'See the oracle’s own code (`details.problemCode`) above.',
    BAD_ANSWER: 'Do not rely on this oracle’s answer; a report may be due.',
  },
  trader: {
    POLICY_INVALID: 'Fix the policy file (docs/traders.md, reputation policy).',
    IMPORT_INVALID: 'Import a file written by `mega trader export`, unchanged.',
    MESSAGE_INVALID: 'Do not use the message: it breaks the protocol (the message says where).',
    NODE_RESPONSE_INVALID: 'Use another node (`--node`); this one answered off the API.',
    ENDPOINT_INVALID: 'Do not rely on this oracle’s answers; a report may be due.',
    ENDPOINT_UNREACHABLE: 'Check the oracle’s endpoint, or try later.',
    REPORT_REFUSED: 'Report only what the evidence proves (protocol.md §7).',
    NOT_FOUND: 'Fetch it first (`mega trader oracles`, `offers`), or check the key.',
    KEY_MISSING: 'Run `mega trader init`, or point `--data` at the trader’s directory.',
    KEY_LOCKED: 'Give the trader key’s passphrase.',
    KEY_EXISTS: 'Keep the existing key, or use another `--data`.',
    OFFER_STATE:
      'Check the offer’s stage (`mega trader offers`): accept an open offer, finalize an accepted one.',
    SEAL_INVALID: 'Ask the counterparty to seal the details again for your key.',
    STORE_FAILED: 'Check the data directory, or run the newer version that wrote it.',
  },
  contract: {
    CONTRACT_MESSAGE_INVALID: 'Use the file the counterparty’s `mega trader contract` wrote, unchanged.',
    CONTRACT_TERMS_MISMATCH:
      'Do not sign: the terms differ from the offer; ask the counterparty to propose again.',
    CONTRACT_COMMITMENT_INVALID:
      'Get the commitment from the oracle’s endpoint again (Schnorr capabilities only).',
    CONTRACT_SIGNATURE_INVALID: 'Do not go on: ask the counterparty for the step again.',
    CONTRACT_FUNDING_INVALID: 'Fund with a PSBT of segwit inputs carrying their previous outputs.',
    CONTRACT_ADDRESS_INVALID: 'Give an address of the contract’s network.',
    CONTRACT_STATE: 'Run the next step of the contract (`mega trader contract show`).',
    CONTRACT_REFUND_TOO_EARLY: 'Wait until the refund locktime.',
    CONTRACT_FACT_INVALID: 'Use the fact the oracle signed for this contract’s commitment.',
    CONTRACT_DLC_UNAVAILABLE: 'Run on a platform the DLC library supports.',
    CONTRACT_BROADCAST_FAILED: 'Retry, or broadcast the transaction through another Esplora endpoint.',
    CONTRACT_EXPORT_UNAVAILABLE:
      'Fund with a wallet PSBT that carries each coin’s previous transaction (non_witness_utxo), or exchange Mega’s JSON messages.',
    CONTRACT_TOO_LARGE: 'Offer with fewer answers merged by synonyms, or fewer oracles in the quorum.',
    CONTRACT_NO_QUORUM:
      'Wait for more oracles to attest (`--wait`); if no k can agree any more, publish the refund at its locktime.',
  },
  config: {
    CONFIG_UNREADABLE: 'Check the path and the permissions of the file.',
    CONFIG_NOT_JSON: 'Fix the JSON syntax at the place the message names.',
    CONFIG_INVALID:
      'Give the option what `details.expected` says (docs/configuration.md), in the file, variable or flag named.',
  },
  client: {
    NODE_UNREACHABLE: 'Check the node’s URL (`--node`) and that it is running.',
  },
  cli: {
    USAGE: 'Follow the usage shown; `mega <command> --help` lists the options.',
    INPUT_INVALID: 'Give a readable file of the expected content and size.',
    DEVNET_FAILED: 'Read the node’s `node.log` in the devnet directory.',
  },
}

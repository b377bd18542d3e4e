/**
 * Size limits of protocol messages. They sit in the schemas, so every entry point (REST,
 * gossip, files, CLI) refuses oversized input before doing any work on it.
 *
 * The numbers leave room for real use (a capability with a few hundred answers, a report that
 * embeds two ads) while keeping one message far below a gossip frame and the node's budgets.
 */
export const LIMITS = {
  /** Bytes of one message as sent (UTF-8 JSON), every kind but manifests. */
  messageBytes: 64 * 1024,
  /** Bytes of a signed manifest, which embeds an ad and up to `manifestCapabilities` capabilities. */
  manifestBytes: 1024 * 1024,
  manifestCapabilities: 64,
  tags: 8,
  tagLength: 32,
  questionLength: 512,
  params: 8,
  paramValues: 256,
  valueLength: 64,
  answers: 256,
  /** Base-2 digits of a numeric capability: values 0 … 2^digits − 1. */
  digits: 32,
  unitLength: 32,
  urlLength: 512,
  textLength: 2000,
  links: 8,
  invoiceLength: 2048,
  termsLength: 1024,
  contactLength: 256,
  sealedLength: 4096,
  quorum: 4,
  synonyms: 32,
  bidProofLength: 2048,
} as const

/**
 * The protocol test vectors (docs/test-vectors.json) checked by the code that runs here: the
 * page's self-test, so a trader can see that the browser verifies exactly what nodes verify.
 * The same function runs under Node's tests, which compare its outcome with the page's.
 * Each case: schema, canonical string and id, every signature (tampered, it must fail), the
 * published signatures over their published strings, the work, the node's rules, and for
 * reports the evidence verdict at each published time.
 */
import {
  canonicalize,
  checkMessageRules,
  fromHex,
  idOfCanonical,
  isScheme,
  type Message,
  messageId,
  powBound,
  type Report,
  signedBody,
  toHex,
  validateMessage,
  verifyMessage,
  verifyMessagePow,
  verifyReportEvidence,
  verifySignatures,
  withoutProofs,
} from '../protocol/index.ts'

/** The outcome of one vector: the checks run and the ones that failed. */
export interface VectorOutcome {
  name: string
  checks: number
  failures: string[]
}

interface PublishedSignature {
  scheme: string
  publicKey: string
  signature: string
  signed: string
}

interface Vector {
  name: string
  message: Message
  canonical: string
  id: string
  signature?: PublishedSignature
  keyProof?: PublishedSignature
  pow?: { bound: string; nonce: string; hash: string; bits: number }
  evidence?: ({ evaluatedAt: number } & ({ verdict: string } | { error: { code: string; path?: string } }))[]
}

/** Checks every case of a vector file; throws when `file` has no `cases` array. */
export function checkVectorFile(file: unknown): VectorOutcome[] {
  const cases = (file as { cases?: unknown } | null)?.cases
  if (!Array.isArray(cases)) throw new Error('not a test-vector file: no "cases" array')
  return (cases as Vector[]).map(checkVector)
}

function checkVector(vector: Vector): VectorOutcome {
  const failures: string[] = []
  let checks = 0
  const expect = (ok: boolean, what: string) => {
    checks++
    if (!ok) failures.push(what)
  }
  const message = vector.message
  const valid = validateMessage(message)
  expect(valid.ok, `schema: ${valid.ok ? '' : valid.error.message}`)
  if (!valid.ok) return { name: vector.name, checks, failures }
  expect(canonicalize(withoutProofs(message)) === vector.canonical, 'canonical string')
  expect(idOfCanonical(vector.canonical) === vector.id && messageId(message) === vector.id, 'id')
  const signed = verifySignatures(message)
  expect(signed.ok, `signatures: ${signed.ok ? '' : signed.error.message}`)
  const rules = checkMessageRules(message)
  expect(rules.ok, `rules: ${rules.ok ? '' : rules.error.message}`)
  for (const published of [vector.signature, vector.keyProof]) {
    if (!published) continue
    expect(verifyPublished(published), `published signature by ${published.publicKey.slice(0, 8)}`)
    const tampered = { ...published, signed: `${published.signed} ` }
    expect(!verifyPublished(tampered), 'a tampered signed string must not verify')
  }
  if (vector.signature) expect(canonicalize(signedBody(message)) === vector.signature.signed, 'signed body')
  if ('signature' in message && typeof message.signature === 'string') {
    const flipped = `${message.signature.slice(0, -1)}${message.signature.endsWith('0') ? '1' : '0'}`
    expect(
      !verifySignatures({ ...message, signature: flipped } as Message).ok,
      'an altered signature must fail',
    )
  }
  if (vector.pow) {
    const bound = powBound(message)
    expect(bound !== undefined && toHex(bound) === vector.pow.bound, 'pow bound')
    const work = verifyMessagePow(message)
    expect(work.ok, `pow: ${work.ok ? '' : work.error.message}`)
  }
  for (const outcome of vector.evidence ?? []) {
    const checked = verifyReportEvidence(message as Report, { now: outcome.evaluatedAt })
    if ('verdict' in outcome)
      expect(checked.ok && checked.value === outcome.verdict, `evidence at ${outcome.evaluatedAt}`)
    else
      expect(
        !checked.ok &&
          checked.error.code === outcome.error.code &&
          checked.error.details.path === outcome.error.path,
        `evidence refused at ${outcome.evaluatedAt} with ${outcome.error.code}`,
      )
  }
  return { name: vector.name, checks, failures }
}

function verifyPublished(published: PublishedSignature): boolean {
  if (!isScheme(published.scheme)) return false
  const bytes = new TextEncoder().encode(published.signed)
  fromHex(published.publicKey, 32, 'public key')
  return verifyMessage(published.scheme, bytes, published.signature, published.publicKey).ok
}

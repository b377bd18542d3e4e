import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import type { Entry } from '../../../src/mempool/entries.ts'
import { Mempool } from '../../../src/mempool/mempool.ts'
import {
  FIRST_WORD,
  NAMES,
  packCanonical,
  packedCanonicalText,
  packedSignature,
  packedSignatureIs,
  packMessage,
  unpackMessage,
  VALUES,
} from '../../../src/mempool/packed.ts'
import { admitValue } from '../../../src/mempool/pipeline.ts'
import { restoreSnapshot, toRecord } from '../../../src/mempool/snapshot.ts'
import { canonicalize } from '../../../src/protocol/canonical.ts'
import { messageId } from '../../../src/protocol/message.ts'
import type { Message, Offer, OracleCapability, OracleId } from '../../../src/protocol/messages/index.ts'
import { verifySignatures } from '../../../src/protocol/sign.ts'
import * as fx from '../../support/messages.ts'

const NOW = 1_850_000_000

/** A distinct key per number (a small secret, valid for both schemes). */
function keyOf(scheme: 'ed25519' | 'bip340', n: number) {
  return fx.keyFromSecret(scheme, n.toString(16).padStart(64, '0'))
}

/** A deterministic generator (xorshift32), so a failure names the seed that found it. */
function generator(seed: number) {
  let state = seed * 2_654_435_761 || 1
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
  const int = (below: number) => Math.floor(next() * below)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const hex = (digits: number, upper = false) => {
    let out = ''
    for (let i = 0; i < digits; i++) out += '0123456789abcdef'[int(16)]
    return upper ? out.toUpperCase() : out
  }
  // What a message's strings hold: hex of every length (odd ones, upper case, too long to
  // pack), text beyond Latin-1, control characters, quotes and backslashes next to hex.
  const text = (): string =>
    pick([
      () => hex(2 * (1 + int(300))),
      () => hex(1 + 2 * int(40)),
      () => hex(64, true),
      () => `€ ${hex(16)} 🙂`,
      () => 'é'.repeat(2 * (8 + int(8))),
      () => `\u0001\u0002"${hex(32)}"\\`,
      () => `é ${int(1000)}`,
      () => '',
      () => pick(['ed25519', 'bip340', '"kind": "bip340",', 'kind']),
    ])()
  const value = (depth: number): unknown => {
    const choice = int(depth > 3 ? 4 : 7)
    if (choice === 0) return text()
    if (choice === 1) return int(2) === 0 ? int(2 ** 40) : next() * 1e6 - 5e5
    if (choice === 2) return pick([true, false, null])
    if (choice === 3) return hex(64)
    if (choice === 4) return Array.from({ length: int(4) }, () => value(depth + 1))
    const object: Record<string, unknown> = {}
    for (let i = int(5); i > 0; i--)
      object[pick(['pubkey', 'tags', 'nonce', 'kind', 'ed25519', text(), 'signature'])] = value(depth + 1)
    return object
  }
  return { int, pick, hex, text, value }
}

/** A generated JSON object: the generator's value, wrapped when it is not an object. */
function generatedObject(g: ReturnType<typeof generator>): Record<string, unknown> {
  const message = g.value(0)
  return typeof message === 'object' && message !== null && !Array.isArray(message)
    ? (message as Record<string, unknown>)
    : { message }
}

/**
 * Gives `object` proofs as messages carry them, and as they do not: a PoW in another member
 * order or any JSON value, a signature of any shape (hex to pack in front, or not), or none.
 */
function addProofs(g: ReturnType<typeof generator>, object: Record<string, unknown>): void {
  if (g.int(3) > 0)
    object.pow = g.pick([
      () => ({ bits: g.int(40), nonce: g.hex(16), hash: g.hex(64) }),
      () => ({ hash: g.hex(64), bits: g.int(40) - 20.5, nonce: g.text() }),
      () => g.value(1),
    ])()
  const signature = g.pick([g.hex(128), g.hex(64, true), g.text(), undefined, 7])
  if (signature !== undefined) object.signature = signature
}

describe('packed messages', () => {
  it('rebuild every generated JSON value exactly, with its canonical bytes (property)', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const g = generator(seed)
      const refs = [g.hex(64), g.hex(64)]
      const object = generatedObject(g)
      object.signature = g.pick([g.hex(128), g.hex(64, true), g.text(), undefined, 7])
      if (g.int(2) === 0) object.pubkey = refs[g.int(2)]
      const packed = packMessage(object, refs)
      const rebuilt = unpackMessage<Record<string, unknown>>(packed, refs)
      const expected = JSON.parse(JSON.stringify(object))
      assert.deepEqual(rebuilt, expected, `seed ${seed}`)
      assert.equal(canonicalize(rebuilt), canonicalize(object), `seed ${seed}`)
      const signature = typeof object.signature === 'string' ? object.signature : undefined
      assert.equal(packedSignature(packed, refs), signature)
      assert.ok(packedSignatureIs(packed, refs, signature), `seed ${seed}`)
      for (const other of [
        `${signature ?? ''}0`,
        signature?.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        7,
      ])
        if (other !== signature) assert.ok(!packedSignatureIs(packed, refs, other), `seed ${seed}: ${other}`)
    }
  })

  it('packed from the canonical text without proofs, rebuild the same canonical bytes (property)', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const g = generator(seed)
      const refs = [g.hex(64), g.hex(64)]
      const object = generatedObject(g)
      delete object.pow
      delete object.signature
      const canonical = canonicalize(object)
      addProofs(g, object)
      if (g.int(2) === 0) object.pubkey = refs[g.int(2)]
      const packed = packCanonical(
        object.pubkey === undefined
          ? canonical
          : canonicalize({ ...object, pow: undefined, signature: undefined }),
        object,
        refs,
      )
      const rebuilt = unpackMessage<Record<string, unknown>>(packed, refs)
      assert.deepEqual(rebuilt, JSON.parse(JSON.stringify(object)), `seed ${seed}`)
      assert.equal(canonicalize(rebuilt), canonicalize(object), `seed ${seed}`)
      // The proofs come back as they were, member order too.
      assert.equal(JSON.stringify(rebuilt.pow), JSON.stringify(object.pow), `seed ${seed}`)
      const { signature } = object
      assert.equal(packedSignature(packed, refs), typeof signature === 'string' ? signature : undefined)
    }
  })

  it('packed from an ASCII canonical text, are exactly the reading the format defines (property)', () => {
    // Byte for byte, whatever the text holds: hex of every length and case, strings that
    // start like the entry's keys or a word, words not followed by a colon, escapes.
    let ascii = 0
    for (let seed = 1; seed <= 3_000; seed++) {
      const g = generator(seed)
      // An entry's strings that are no packable hex are no references either.
      const refs = [g.hex(64), g.pick([g.hex(64), g.hex(64, true), g.hex(14), `${g.hex(62)}g0`])]
      const object = generatedObject(g)
      delete object.pow
      delete object.signature
      if (g.int(2) === 0) object.pubkey = refs[g.int(2)]
      if (g.int(3) === 0) object.kind = g.pick([refs[0]!.slice(0, 40), `${refs[1]}0`, 'kind', 'bip340'])
      // Every word, as a name and as a value, and strings a character longer or shorter.
      for (let k = g.int(6); k > 0; k--) {
        const word = g.pick([...NAMES, ...VALUES])
        const near = g.pick([word, `${word}x`, word.slice(1), `"${word}"`])
        object[g.int(2) === 0 ? near : g.text()] = g.pick([near, g.value(1)])
      }
      const canonical = canonicalize(object)
      const proofs: { pow?: unknown; signature?: unknown } = {}
      // A PoW as messages carry it, in another member order, with the entry's key as its hash,
      // with strings JSON escapes, or any JSON value.
      if (g.int(3) > 0)
        proofs.pow = g.pick([
          () => ({ bits: g.int(40), nonce: g.hex(16), hash: g.hex(64) }),
          () => ({ hash: refs[0], bits: g.int(40) - 20.5, nonce: g.text() }),
          () => ({ nonce: g.hex(16), bits: 1e21, kind: 'bip340', hash: g.hex(64) }),
          () => ({ bits: 8, nonce: '"kind":', hash: g.hex(64, true) }),
          () => g.value(1),
        ])()
      const signature = g.pick([g.hex(128), g.hex(64, true), g.text(), undefined])
      if (signature !== undefined) proofs.signature = signature
      const front = typeof signature === 'string' && /^(?:[0-9a-f]{2}){1,255}$/.test(signature)
      const members = JSON.stringify({ pow: proofs.pow, signature: front ? undefined : signature }).slice(1)
      const tail = members === '}' ? '' : `${canonical.length > 2 ? ',' : ''}${members}`
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is what this reading covers
      if (!/^[\u0000-\u007f]*$/.test(canonical + tail)) continue
      ascii++
      const expected =
        (front ? String.fromCharCode(signature.length / 2) + latin1(signature) : '\u0000') +
        packedByReading(canonical.slice(0, tail === '' ? canonical.length : -1), refs) +
        packedByReading(tail, refs)
      assert.equal(packCanonical(canonical, proofs, refs), expected, `seed ${seed}`)
    }
    assert.ok(ascii > 1_000, `${ascii} ASCII texts`)
  })

  it('keep hex as bytes and the entry’s own keys as references', () => {
    const ad = fx.oracleAd()
    const packed = packMessage(ad, [ad.pubkey])
    const text = JSON.stringify(ad)
    // pubkey (64 digits) becomes 2 characters; signature, nonce and hash half their digits.
    assert.ok(packed.length < text.length - 64 - 64 - 32, `${packed.length} of ${text.length}`)
    assert.ok(
      [...packed].every((char) => char.charCodeAt(0) <= 0xff),
      'one byte per character',
    )
    assert.deepEqual(unpackMessage(packed, [ad.pubkey]), ad)
  })
})

describe('held entries rebuild their messages', () => {
  /** Every kind, generated: ads, capabilities, reports of several types, offers at each stage. */
  function fill(seeds: number): { pool: Mempool; sent: Map<string, Message> } {
    const pool = new Mempool(
      { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 }, maxCapabilitiesPerOracle: 1_000 },
      { now: () => NOW },
    )
    const sent = new Map<string, Message>()
    const admit = (message: Message) => {
      const { admission } = admitValue(pool, message)
      assert.ok(admission.status === 'added' || admission.status === 'updated', JSON.stringify(admission))
      if (admission.kind !== 'dispute') sent.set(admission.id!, message)
    }
    admit(
      fx.oracleAd({
        tags: ['sports', fx.ORACLE.publicKey.slice(0, 32)],
        manifestUri: 'https://oracle.example/m',
      }),
    )
    // An update replaces the held ad's message in place.
    admit(fx.oracleAd({ seqNo: 2, tags: ['sports'] }, fx.ORACLE, 9))
    const capability = fx.capabilityAd({ attestation: 'signature' })
    admit(capability)
    for (let seed = 1; seed <= seeds; seed++) {
      const g = generator(seed)
      const key = keyOf(g.pick(['ed25519', 'bip340'] as const), 100 + seed)
      admit(fx.oracleAd({ tags: [g.hex(16), `t-${seed}`], seqNo: 1 + g.int(9) }, key))
      admit(
        fx.capabilityAd(
          { question: `Who won $home vs $away on $date? ${g.text().slice(0, 100)} €`, tags: [g.hex(32)] },
          fx.ORACLE,
          keyOf('bip340', 1_000 + seed),
        ),
      )
      const links = [`https://example.org/${g.hex(64)}`]
      admit(
        fx.report(
          { type: 'free-form', comment: `${seed} ${g.text()}x`.slice(0, 200), links },
          g.pick([fx.REPORTER, null]),
        ),
      )
      const trader = keyOf('bip340', 2_000 + seed)
      const open = fx.offer(trader, 8, {
        nonce: g.hex(16),
        contact: `nostr:${g.hex(20)}`,
      })
      admit(
        seed % 3 === 0
          ? fx.finalizedOffer(fx.acceptedOffer(open), trader)
          : seed % 3 === 1
            ? fx.acceptedOffer(open)
            : open,
      )
    }
    const missing = fx.report({ type: 'fact-missing', capability, commitment: fx.commitment(NOW - 3600) })
    admit(missing)
    admit(fx.dispute(messageId(missing)))
    admit(fx.report({ type: 'fact-conflict', capability, facts: [fx.fact('home'), fx.fact('away')] }))
    return { pool, sent }
  }

  function assertSame(pool: Mempool, entry: Entry, sent: Message): void {
    pool.recentMessages.clear()
    const rebuilt = entry.message
    assert.notEqual(rebuilt, sent, 'the message is rebuilt, not the object admitted')
    assert.deepEqual(rebuilt, sent)
    assert.equal(canonicalize(rebuilt), canonicalize(sent))
    assert.equal(entry.canonicalText, canonicalize(sent), `${entry.kind} ${entry.id}: canonical text`)
    assert.equal(messageId(rebuilt), entry.id)
    assert.equal(entry.signature, (sent as { signature?: string }).signature)
    assert.ok(verifySignatures(rebuilt).ok, `${entry.kind} ${entry.id}: signatures hold`)
    // What admission reads of a held parent is kept beside the packed message.
    if (entry.kind === 'oracle') {
      const { scheme, seqNo } = rebuilt as OracleId
      assert.deepEqual([entry.scheme, entry.seqNo], [scheme, seqNo])
    }
    if (entry.kind === 'capability') {
      const { attestation, digits, answers, params, seqNo } = rebuilt as OracleCapability
      assert.deepEqual(
        { ...entry.offerRules, seqNo: entry.seqNo },
        { attestation, digits, answers, params, seqNo },
      )
    }
    if (entry.kind === 'offer') assert.equal(entry.seqNo, (rebuilt as Offer).seqNo)
  }

  it('byte-identical to the admitted ones, for every kind (property)', () => {
    const { pool, sent } = fill(24)
    const kinds = new Set<string>()
    for (const entry of pool.entries()) {
      kinds.add(entry.kind)
      assertSame(pool, entry, sent.get(entry.id)!)
    }
    assert.deepEqual([...kinds].sort(), ['capability', 'offer', 'oracle', 'report'])
    assert.equal(pool.size, sent.size - 1, 'all but the replaced ad')
  })

  it('byte-identical after a snapshot and restore', () => {
    const { pool, sent } = fill(6)
    const records = JSON.parse(JSON.stringify([...pool.entries()].map(toRecord)))
    const restored = new Mempool(pool.options, { now: () => NOW })
    assert.deepEqual(restoreSnapshot(restored, records, pool.floors()).removed, [])
    for (const entry of restored.entries()) assertSame(restored, entry, sent.get(entry.id)!)
    assert.equal(restored.size, pool.size)
  })

  it('an oracle without capabilities or reports shares the empty pools until its first', () => {
    const pool = new Mempool(
      { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } },
      { now: () => NOW },
    )
    admitValue(pool, fx.oracleAd())
    admitValue(pool, fx.oracleAd({}, fx.OTHER_ORACLE))
    const [a, b] = [pool.oracles.get(fx.ORACLE.publicKey)!, pool.oracles.get(fx.OTHER_ORACLE.publicKey)!]
    assert.equal(a.capabilities, b.capabilities)
    assert.equal(a.reports, b.reports)
    admitValue(pool, fx.capabilityAd())
    assert.notEqual(a.capabilities, b.capabilities)
    assert.equal(a.capabilities.size, 1)
    assert.equal(b.capabilities.size, 0)
    assert.equal(a.reports, b.reports, 'the report pool stays shared')
  })

  it('each pool keeps its own recently read messages: reads in one never push out another’s', () => {
    const options = { minBits: { oracle: 8, capability: 8, report: 8, offer: 8 } }
    const [a, b] = [new Mempool(options, { now: () => NOW }), new Mempool(options, { now: () => NOW })]
    const ad = fx.oracleAd()
    admitValue(a, ad)
    admitValue(b, ad)
    const held = b.oracles.get(ad.pubkey)!
    const read = held.message
    assert.equal(held.message, read, 'a read message is kept for the next read')
    assert.equal(a.recentMessages.size, 1)
    assert.equal(b.recentMessages.size, 1)
    // More entries read in one pool than its cache holds.
    const { id, bits, work, bytes } = a.oracles.get(ad.pubkey)!
    for (let i = 0; i < 1_100; i++) {
      const key = i.toString(16).padStart(64, '0')
      a.insert({ kind: 'oracle', key, id, message: ad, bytes, bits, work, receivedAt: NOW, bid: 0n })
      assert.deepEqual(a.oracles.get(key)!.message, ad)
    }
    assert.equal(a.recentMessages.size, 1_024, 'bounded')
    assert.equal(b.recentMessages.size, 1)
    assert.equal(held.message, read, 'the other pool’s message is still the one read')
    a.recentMessages.clear()
    assert.equal(held.message, read)
    b.recentMessages.clear()
    assert.notEqual(held.message, read, 'rebuilt once its own pool forgot it')
    assert.deepEqual(held.message, ad)
  })
})

describe('canonical text of a packed message', () => {
  /** What a node serves of the packed form, compared with the message rebuilt and serialized. */
  function assertCanonical(packed: string, refs: readonly string[], object: object, seed: number): void {
    const expected = canonicalize(object)
    assert.equal(packedCanonicalText(packed, refs), expected, `seed ${seed}`)
    assert.equal(canonicalize(unpackMessage(packed, refs)), expected, `seed ${seed}`)
  }

  it('is the canonical text of every generated JSON value, packed from JSON.stringify (property)', () => {
    for (let seed = 1; seed <= 3_000; seed++) {
      const g = generator(seed)
      const refs = [g.hex(64), g.hex(64)]
      const object = generatedObject(g)
      object.signature = g.pick([g.hex(128), g.hex(64, true), g.text(), undefined, 7])
      if (g.int(2) === 0) object.pubkey = refs[g.int(2)]
      // Members in any order, nested ones too.
      if (g.int(2) === 0) object.zz = { b: [{ d: 1, c: [2, { f: 'x', e: g.text() }] }], a: g.value(1) }
      assertCanonical(packMessage(object, refs), refs, object, seed)
    }
  })

  it('is the canonical text of every generated JSON value, packed from its canonical text (property)', () => {
    for (let seed = 1; seed <= 3_000; seed++) {
      const g = generator(seed)
      const refs = [g.hex(64), g.hex(64)]
      const object = generatedObject(g)
      delete object.pow
      delete object.signature
      if (g.int(2) === 0) object.pubkey = refs[g.int(2)]
      const canonical = canonicalize(object)
      addProofs(g, object)
      assertCanonical(packCanonical(canonical, object, refs), refs, object, seed)
    }
  })

  it('keys are sorted by UTF-16 code units, escaped ones by what they stand for', () => {
    const object = {
      '\u0001': 1,
      'a"b': 2,
      '\\': 3,
      é: 4,
      '🙂': 5,
      '｡': 6,
      '': 7,
      A: [{}, [], '"}]', { y: '\\"', x: null }],
      signature: 'ab'.repeat(64),
    }
    for (const packed of [
      packMessage(object, []),
      packCanonical(canonicalize({ ...object, signature: undefined }), object, []),
    ])
      assert.equal(packedCanonicalText(packed, []), canonicalize(object))
  })

  it('refuses a lone surrogate as canonicalize does, though the packed text holds it as an ASCII escape', () => {
    // JSON.stringify writes a lone surrogate as `\udXXX`: an ASCII text, with no canonical form.
    for (const object of [
      { a: 'x\ud800' },
      { '\udc00': 1 },
      { a: [{ b: '\udbff' }] },
      { pow: { nonce: '\ud800' } },
    ]) {
      const packed = packMessage(object, [])
      assert.throws(() => canonicalize(unpackMessage(packed, [])), { code: 'NOT_CANONICALIZABLE' })
      assert.throws(
        () => packedCanonicalText(packed, []),
        { code: 'NOT_CANONICALIZABLE' },
        JSON.stringify(object),
      )
    }
    const signed = packCanonical('{"a":1}', { signature: 'a\udfff' }, [])
    assert.throws(() => packedCanonicalText(signed, []), { code: 'NOT_CANONICALIZABLE' })
    // A backslash written before `ud` is no such escape.
    const object = { '\\ud800': '\\udc00', a: '\\\\ud8', signature: 'ab'.repeat(64) }
    assert.equal(packedCanonicalText(packMessage(object, []), []), canonicalize(object))
  })
})

/**
 * The packed form's reading of an ASCII text, as the format defines it: at each quote, the
 * entry's string whole (a reference), else a whole hex string of 8 to 255 bytes, else a word
 * (a name with its colon, or a value), else the quote itself.
 */
function packedByReading(text: string, refs: readonly string[]): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    if (text[i] !== '"') {
      out += text[i++]
      continue
    }
    const ref = refs.findIndex((r) => /^(?:[0-9a-f]{2}){8,255}$/.test(r) && text.startsWith(`"${r}"`, i))
    if (ref >= 0) {
      out += `\u0002${String.fromCharCode(ref)}`
      i += refs[ref]!.length + 2
      continue
    }
    const hex = /"((?:[0-9a-f]{2}){8,255})"/y
    hex.lastIndex = i
    const digits = hex.exec(text)?.[1]
    if (digits !== undefined) {
      out += `\u0001${String.fromCharCode(digits.length / 2)}${latin1(digits)}`
      i += digits.length + 2
      continue
    }
    const close = text.indexOf('"', i + 1)
    const word = close < 0 ? undefined : text.slice(i + 1, close)
    const name = text[close + 1] === ':'
    const code = word === undefined ? -1 : name ? NAMES.indexOf(word) : VALUES.indexOf(word)
    if (code >= 0) {
      out += String.fromCharCode(FIRST_WORD + (name ? code : NAMES.length + code))
      i = close + (name ? 2 : 1)
      continue
    }
    out += text[i++]
  }
  return out
}

function latin1(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1')
}

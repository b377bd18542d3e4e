/**
 * `mega demo`: walks through an oracle's first steps with real keys and real work:
 * key, mined identity, signed ad, signed capability, verification, strength.
 */
import { mine } from '../../miner/index.ts'
import {
  type CapabilityDraft,
  type Draft,
  formatBits,
  generateKeyPair,
  identityStrength,
  messageId,
  type OracleCapability,
  type OracleId,
  powBound,
  proveCapabilityKey,
  sign,
  validateMessage,
  verifyMessagePow,
  verifySignatures,
} from '../../protocol/index.ts'
import { type Command, integerFlag } from '../command.ts'
import { formatDuration, progressBar } from '../progress.ts'

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Create an oracle identity and capability with real keys and PoW, and verify them',
  usage: 'mega demo [--bits N] [--json]',
  options: {
    bits: { type: 'string', description: 'identity PoW bits (default 20)', placeholder: 'N' },
    json: { type: 'boolean', description: 'print the messages as JSON only' },
    help: { type: 'boolean', description: 'show this help' },
  },
  examples: ['mega demo', 'mega demo --bits 24'],
  async run({ values }, io) {
    const bits = integerFlag(values.bits, 'bits', 0, 40) ?? 20
    const say = (line: string) => !values.json && io.stdout.write(`${line}\n`)
    const bar = values.json ? undefined : progressBar(io.stderr)

    const oracleKey = generateKeyPair('ed25519')
    const capabilityKey = generateKeyPair('bip340')
    say(`1. oracle key (ed25519)      ${oracleKey.publicKey}`)
    say(`   capability key (bip340)   ${capabilityKey.publicKey}`)

    const adDraft: Draft<OracleId> = {
      kind: 'oracle',
      scheme: 'ed25519',
      pubkey: oracleKey.publicKey,
      seqNo: 1,
      tags: ['demo', 'weather'],
    }
    const started = performance.now()
    const identityPow = await mine({
      bound: powBound(adDraft as OracleId)!,
      bits,
      onProgress: (p) => bar?.update(p),
    })
    bar?.done()
    say(
      `2. mined ${bits} bits of identity work in ${formatDuration(performance.now() - started)} (nonce ${identityPow.nonce})`,
    )
    const ad = sign<OracleId>({ ...adDraft, pow: identityPow }, oracleKey.secretKey)

    const unproven: CapabilityDraft = {
      kind: 'capability',
      oracle: oracleKey.publicKey,
      oracleScheme: 'ed25519',
      capabilityKey: capabilityKey.publicKey,
      capabilityScheme: 'bip340',
      attestation: 'schnorr',
      question: 'Will it rain in $city on $date?',
      params: [
        { name: 'city', values: ['Paris', 'Lisbon'] },
        { name: 'date', values: ['2026-12-01', '2026-12-02'] },
      ],
      answers: ['yes', 'no'],
      endpoint: 'https://oracle.example/mega',
      tags: ['weather'],
      off: false,
      seqNo: 1,
    }
    // The capability key proves it serves this oracle before the work is mined over the ad.
    const capabilityDraft = proveCapabilityKey(unproven, capabilityKey.secretKey)
    const capabilityBits = Math.max(0, bits - 4)
    const capabilityPow = await mine({
      bound: powBound(capabilityDraft as OracleCapability)!,
      bits: capabilityBits,
    })
    const capability = sign<OracleCapability>({ ...capabilityDraft, pow: capabilityPow }, oracleKey.secretKey)
    say(`3. signed the ad (id ${messageId(ad).slice(0, 16)}…) and a capability with ${capabilityBits} bits`)

    for (const message of [ad, capability]) {
      const checks = [validateMessage(message), verifySignatures(message), verifyMessagePow(message)]
      for (const check of checks) if (!check.ok) throw check.error
    }
    const strength = identityStrength(ad.pow.bits, [capability.pow.bits])
    say('4. both messages pass schema, signature and PoW verification')
    say(`5. identity strength: ${formatBits(strength)} (work ${strength})`)
    if (values.json) io.stdout.write(`${JSON.stringify({ oracle: ad, capability }, null, 2)}\n`)
    else say('\nNext: `npm start` runs a node; `mega demo --json` prints these messages to post to it.')
    return 0
  },
}

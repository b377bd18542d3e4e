import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OracleManifest } from '../../../src/protocol/messages/index.ts'
import { sign } from '../../../src/protocol/sign.ts'
import { classifyManifest, manifestDomainOf, manifestUrlOf } from '../../../src/protocol/verify-manifest.ts'
import * as fx from '../../support/messages.ts'

const DOMAIN = 'oracle.example'
const good = fx.manifest()

function resign(manifest: Omit<OracleManifest, 'signature'>, key = fx.ORACLE): OracleManifest {
  return sign<OracleManifest>(manifest, key.secretKey, fx.ZERO_AUX)
}

/** A manifest listing another oracle's capability key, with that oracle's genuine proof. */
const squatted = resign({
  ...good,
  capabilities: [
    fx.capabilityAd(
      { keyProof: fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY).keyProof },
      fx.ORACLE,
      fx.OTHER_CAPABILITY,
    ),
  ],
})

describe('manifest classification', () => {
  it('domain-verified: valid, served by its domain, the ad points back', () => {
    const verdict = classifyManifest(good, { domain: DOMAIN, oracle: fx.ORACLE.publicKey })
    assert.equal(verdict.status, 'domain-verified')
    assert.equal(verdict.reason, undefined)
  })

  it('foreign advertiser: valid, but the link is not mutual', () => {
    const noUri = resign({ ...good, oracle: fx.oracleAd() })
    const elsewhere = resign({
      ...good,
      oracle: fx.oracleAd({ manifestUri: 'https://other.example/.well-known/mega-oracle.json' }),
    })
    const cases: [string, unknown, string | undefined][] = [
      ['another oracle than the one seen', good, fx.OTHER_ORACLE.publicKey],
      ['ad without manifestUri', noUri, undefined],
      ['ad pointing at another domain', elsewhere, undefined],
    ]
    for (const [name, manifest, oracle] of cases) {
      const verdict = classifyManifest(manifest, { domain: DOMAIN, ...(oracle && { oracle }) })
      assert.equal(verdict.status, 'foreign-advertiser', name)
      assert.ok(verdict.reason, name)
    }
  })

  it('foreign advertiser: the ad points anywhere but exactly https://<domain>/.well-known/mega-oracle.json', () => {
    const spoofs = [
      'https://oracle.example/uploads/mallory/mega-oracle.json',
      'https://oracle.example/~mallory/.well-known/mega-oracle.json',
      'https://oracle.example/.well-known/mega-oracle.json?user=mallory',
      'https://oracle.example/.well-known/mega-oracle.json#mallory',
      'https://mallory@oracle.example/.well-known/mega-oracle.json',
      'https://oracle.example:8443/.well-known/mega-oracle.json',
      'https://oracle.example:443/.well-known/mega-oracle.json',
      'https://ORACLE.example/.well-known/mega-oracle.json',
      'https://oracle.example./.well-known/mega-oracle.json',
      'https://oracle.example/.well-known/../.well-known/mega-oracle.json',
      'https://oracle.example/.well-known/mega-oracle.json/',
    ]
    for (const uri of spoofs) {
      const spoofed = resign({ ...good, oracle: fx.oracleAd({ manifestUri: uri }) })
      const verdict = classifyManifest(spoofed, { domain: DOMAIN, oracle: fx.ORACLE.publicKey })
      assert.equal(verdict.status, 'foreign-advertiser', uri)
      assert.equal(manifestDomainOf(uri), undefined, uri)
    }
    assert.equal(manifestDomainOf(manifestUrlOf(DOMAIN)), DOMAIN)
    assert.equal(manifestUrlOf(DOMAIN), 'https://oracle.example/.well-known/mega-oracle.json')
  })

  it('invalid: schema, signatures, PoW, foreign capabilities, wrong domain', () => {
    const otherOraclesCapability = resign({
      ...good,
      capabilities: [fx.capabilityAd({}, fx.OTHER_ORACLE, fx.OTHER_CAPABILITY)],
    })
    const weakAd = { ...good.oracle, pow: { ...good.oracle.pow, bits: 40 } }
    const cases: [string, unknown, string][] = [
      ['not an object', 'manifest', DOMAIN],
      ['another kind', good.oracle, DOMAIN],
      ['tampered signature', { ...good, domain: 'evil.example' }, 'evil.example'],
      ['signed by another key', resign(good, fx.OTHER_ORACLE), DOMAIN],
      ['overstated ad PoW', resign({ ...good, oracle: weakAd }), DOMAIN],
      ['capability of another oracle', otherOraclesCapability, DOMAIN],
      ['capability key squatted from another oracle', squatted, DOMAIN],
      ['served by a domain it does not name', good, 'mirror.example'],
    ]
    for (const [name, manifest, domain] of cases) {
      const verdict = classifyManifest(manifest, { domain })
      assert.equal(verdict.status, 'invalid', name)
      assert.ok(verdict.reason, name)
    }
  })

  it('names the squatted capability key proof as the reason', () => {
    const verdict = classifyManifest(squatted, { domain: DOMAIN, oracle: fx.ORACLE.publicKey })
    assert.equal(verdict.status, 'invalid')
    assert.match(verdict.reason ?? '', /^\/capabilities\/0\/keyProof: /)
  })
})

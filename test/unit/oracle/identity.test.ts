import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { addCapability, dropCapability, switchCapability } from '../../../src/oracle/capabilities.ts'
import { initOracle, mineIdentity, resignAd } from '../../../src/oracle/identity.ts'
import { loadState, nextSeqNo } from '../../../src/oracle/state.ts'
import { verifyMessagePow } from '../../../src/protocol/message-pow.ts'
import { nonceFromHex } from '../../../src/protocol/pow.ts'
import { verifySignatures } from '../../../src/protocol/sign.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
async function oracle() {
  const dir = await mkdtemp(join(tmpdir(), 'mega-identity-'))
  dirs.push(dir)
  return { dir, root: await initOracle({ dir, passphrase: 'p', logN: 10 }) }
}

const SPEC = {
  label: 'rain',
  question: 'Did it rain in $city?',
  params: [{ name: 'city', values: ['Paris', 'Oslo'] }],
  answers: ['yes', 'no'],
  endpoint: 'https://weather.example',
  tags: ['weather'],
}

describe('identity and capabilities', () => {
  it('mines, upgrades from the existing PoW, and keeps the work when re-signing', async () => {
    const { dir, root } = await oracle()
    const first = await mineIdentity({ dir, root, bits: 8, threads: 1, tags: ['weather'] })
    assert.ok(verifySignatures(first).ok && verifyMessagePow(first, 8).ok)
    const upgraded = await mineIdentity({ dir, root, bits: 12, threads: 1 })
    assert.ok(verifyMessagePow(upgraded, 12).ok)
    assert.ok(nonceFromHex(upgraded.pow.nonce) >= nonceFromHex(first.pow.nonce), 'continued, not restarted')
    assert.ok(upgraded.seqNo > first.seqNo)
    assert.deepEqual(upgraded.tags, ['weather'])
    const state = await loadState(dir)
    const again = resignAd(state, root)
    assert.deepEqual(again.pow, upgraded.pow)
    assert.ok(again.seqNo > upgraded.seqNo && verifySignatures(again).ok)
    // Asking for fewer bits than held keeps the stronger PoW.
    assert.equal((await mineIdentity({ dir, root, bits: 4, threads: 1 })).pow.bits, 12)
  })

  it('a cancelled run saves its checkpoint and the next run resumes from it', async () => {
    const { dir, root } = await oracle()
    // Cancelled as soon as the run reports searching past `from`: no timer to outrun on a busy machine.
    const run = async (from: bigint) => {
      const controller = new AbortController()
      const onProgress = ({ checkpoint }: { checkpoint: bigint }) => {
        if (checkpoint > from) controller.abort()
      }
      await assert.rejects(
        mineIdentity({ dir, root, bits: 60, threads: 1, signal: controller.signal, onProgress }),
        { code: 'MINING_CANCELLED' },
      )
      return (await loadState(dir)).mining!
    }
    const first = await run(0n)
    assert.equal(first.bits, 60)
    assert.ok(nonceFromHex(first.checkpoint) > 0n, `searched some: ${first.checkpoint}`)
    const second = await run(nonceFromHex(first.checkpoint))
    assert.ok(
      nonceFromHex(second.checkpoint) > nonceFromHex(first.checkpoint),
      `resumed past the checkpoint: ${first.checkpoint} → ${second.checkpoint}`,
    )
    await mineIdentity({ dir, root, bits: 8, threads: 1 })
    assert.equal((await loadState(dir)).mining, undefined, 'a finished run clears it')
  })

  it('capability add, off/on with a higher seqNo and the same work, drop only when off', async () => {
    const { dir, root } = await oracle()
    const added = await addCapability({ dir, root, bits: 6, threads: 1, spec: SPEC })
    assert.ok(verifySignatures(added.ad).ok && verifyMessagePow(added.ad, 6).ok)
    await assert.rejects(addCapability({ dir, root, bits: 6, threads: 1, spec: SPEC }), {
      code: 'CAPABILITY_EXISTS',
    })
    await assert.rejects(
      addCapability({ dir, root, bits: 6, threads: 1, spec: { ...SPEC, label: 'x', answers: [] } }),
      { code: 'SCHEMA_VIOLATION' },
    )
    await assert.rejects(
      addCapability({ dir, root, bits: 6, threads: 1, spec: { ...SPEC, label: 'y', scheme: 'ed25519' } }),
      { code: 'SOURCE_CONFIG' },
      'schnorr needs bip340',
    )
    await assert.rejects(dropCapability(dir, 'rain'), { code: 'CAPABILITY_EXISTS' })
    const off = await switchCapability(dir, root, 'rain', true)
    assert.equal(off.ad.off, true)
    assert.ok(off.ad.seqNo > added.ad.seqNo)
    assert.deepEqual(off.ad.pow, added.ad.pow, 'the PoW is not bound to off or seqNo')
    assert.ok(verifySignatures(off.ad).ok && verifyMessagePow(off.ad).ok)
    const on = await switchCapability(dir, root, off.ad.capabilityKey, false)
    assert.equal(on.ad.off, false)
    await switchCapability(dir, root, 'rain', true)
    await dropCapability(dir, 'rain')
    assert.deepEqual((await loadState(dir)).capabilities, [])
    await assert.rejects(switchCapability(dir, root, 'rain', false), { code: 'UNKNOWN_CAPABILITY' })
  })

  it('refuses a key that is not the directory’s oracle, and seqNo never goes back', async () => {
    const a = await oracle()
    const b = await oracle()
    await assert.rejects(mineIdentity({ dir: a.dir, root: b.root, bits: 1, threads: 1 }), {
      code: 'STATE_INVALID',
    })
    assert.equal(nextSeqNo(5, 100), 100)
    assert.equal(nextSeqNo(500, 100), 501)
  })
})

import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isNetworkError } from '../../../src/network/errors.ts'
import { loadOrCreateNodeKey } from '../../../src/network/node-key.ts'
import { parseBootstrap } from '../../../src/network/peer-keeper.ts'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mega-key-'))
  dirs.push(dir)
  return dir
}

describe('node key', () => {
  it('is created once (mode 0600) and keeps the peer id across restarts', async () => {
    const dir = join(await tempDir(), 'data')
    const first = await loadOrCreateNodeKey(dir, 'node-key')
    assert.equal(first.created, true)
    assert.equal(first.privateKey.type, 'Ed25519')
    assert.equal((await stat(first.path)).mode & 0o777, 0o600)
    const second = await loadOrCreateNodeKey(dir, 'node-key')
    assert.equal(second.created, false)
    assert.ok(second.privateKey.publicKey.equals(first.privateKey.publicKey))
  })

  it('refuses a corrupted key file with a clear error, and leaves it in place', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'node-key'), 'not a key')
    await assert.rejects(
      loadOrCreateNodeKey(dir, 'node-key'),
      (error) =>
        isNetworkError(error, 'NODE_KEY_CORRUPT') &&
        error.details.path === join(dir, 'node-key') &&
        /not a libp2p private key/.test(error.message),
    )
    await assert.rejects(loadOrCreateNodeKey(dir, 'node-key'), { code: 'NODE_KEY_CORRUPT' })
  })

  it('bootstrap addresses must name their peer', () => {
    const id = '12D3KooWRSTKGFKRDe3P3jKGU9tZ7Vy1DpaSB3bjZN5xfVb8ru8s'
    const [peer] = parseBootstrap([`/ip4/127.0.0.1/tcp/9090/p2p/${id}`])
    assert.equal(peer!.id.toString(), id)
    for (const bad of ['/ip4/127.0.0.1/tcp/9090', 'nonsense', `/ip4/127.0.0.1/tcp/9090/p2p/notapeer`]) {
      assert.throws(() => parseBootstrap([bad]), { code: 'BAD_MULTIADDR' }, bad)
    }
  })
})

/**
 * `mega node`'s peer-to-peer address: `--p2p` gives TCP on the port and WebSocket on the next,
 * and the help says where it listens for peers.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { p2pListenAddresses } from '../../../src/cli/commands/node-start.ts'
import { runCli } from '../../support/run-cli.ts'

process.env.MEGA_LOG_LEVEL = 'silent'

describe('mega node’s peer-to-peer address', () => {
  it('--p2p gives TCP on the port and WebSocket on the next', () => {
    assert.deepEqual(p2pListenAddresses('0.0.0.0:9090'), [
      '/ip4/0.0.0.0/tcp/9090',
      '/ip4/0.0.0.0/tcp/9091/ws',
    ])
    assert.deepEqual(p2pListenAddresses('[::1]:0'), ['/ip6/::1/tcp/0', '/ip6/::1/tcp/0/ws'])
  })

  it('says in its help that it listens for peers, and where', async () => {
    const { out } = await runCli(['node', '--help'])
    assert.match(out, /listens for peers/)
    assert.match(out, /--p2p <host:port> .*default 127\.0\.0\.1:9090/)
  })
})

/**
 * `mega node` on an address that is taken: one line naming the option to change, exit code 1,
 * for the REST API's address and for the peer-to-peer one.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { p2pListenAddresses } from '../../../src/cli/commands/node.ts'
import { runCli } from '../../support/run-cli.ts'

process.env.MEGA_LOG_LEVEL = 'silent'
let busy: Server
let busyPort = 0
let data = ''
before(async () => {
  data = await mkdtemp(join(tmpdir(), 'mega-listen-'))
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as { port: number }).port
})
after(async () => {
  busy.close()
  await rm(data, { recursive: true, force: true })
})

describe('mega node on a taken address', () => {
  it('HTTP: names --http, the config key and MEGA_HTTP', async () => {
    const { code, err } = await runCli([
      'node',
      '--data',
      join(data, 'http'),
      '--http',
      `127.0.0.1:${busyPort}`,
      '--p2p',
      '127.0.0.1:0',
    ])
    assert.equal(code, 1)
    assert.equal(
      err,
      `mega node: cannot listen for the REST API on 127.0.0.1:${busyPort}: the address is already in use; choose another address with --http host:port, the config key http (host, port) or MEGA_HTTP\n`,
    )
  })

  it('peers: names --p2p, network.listen and MEGA_NETWORK__LISTEN', async () => {
    const { code, err } = await runCli([
      'node',
      '--data',
      join(data, 'p2p'),
      '--http',
      '127.0.0.1:0',
      '--p2p',
      `127.0.0.1:${busyPort}`,
    ])
    assert.equal(code, 1)
    assert.equal(
      err,
      `mega node: cannot listen for peers on /ip4/127.0.0.1/tcp/${busyPort}: the address is already in use; choose another address with --p2p host:port, the config key network.listen or MEGA_NETWORK__LISTEN\n`,
    )
  })

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

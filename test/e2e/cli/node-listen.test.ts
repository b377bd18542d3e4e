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
      `mega node: cannot listen for the REST API on 127.0.0.1:${busyPort}: the address is already in use; choose another address with --http host:port, the config key http (host, port) or MEGA_HTTP [LISTEN_FAILED]\n`,
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
      `mega node: cannot listen for peers on /ip4/127.0.0.1/tcp/${busyPort}: the address is already in use; choose another address with --p2p host:port, the config key network.listen or MEGA_NETWORK__LISTEN [LISTEN_FAILED]\n`,
    )
  })
})

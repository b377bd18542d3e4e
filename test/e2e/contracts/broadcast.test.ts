/**
 * `--broadcast URL`: a raw transaction posted to an Esplora-compatible API (`POST <url>/tx`, the
 * hex as body), here a loopback server that answers as Esplora does.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ContractErrorCode, isContractError } from '../../../src/contracts/index.ts'
import { broadcast } from '../../../src/trader/contracts.ts'

let server: Server
let url: string
const received: Array<{ method: string; path: string; type: string; body: string }> = []

before(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      received.push({
        method: request.method!,
        path: request.url!,
        type: request.headers['content-type']!,
        body,
      })
      if (body === 'bad') {
        response.writeHead(400).end('sendrawtransaction RPC error: {"code":-22,"message":"TX decode failed"}')
      } else response.writeHead(200, { 'content-type': 'text/plain' }).end('ab'.repeat(32))
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`
})
after(() => new Promise<void>((done) => server.close(() => done())))

describe('contracts: broadcast to an Esplora API', () => {
  it('posts the hex to <url>/tx and returns the txid it answers', async () => {
    assert.equal(await broadcast(url, '0200beef'), 'ab'.repeat(32))
    assert.deepEqual(received.at(-1), {
      method: 'POST',
      path: '/api/tx',
      type: 'text/plain',
      body: '0200beef',
    })
  })

  it('reports a refusal with the API’s status and reason', async () => {
    await assert.rejects(
      broadcast(url, 'bad'),
      (error) =>
        isContractError(error, ContractErrorCode.BROADCAST_FAILED) &&
        error.details.status === 400 &&
        /TX decode failed/.test(error.message),
    )
  })

  it('reports an unreachable API', async () => {
    await assert.rejects(broadcast('http://127.0.0.1:9/', '00'), (error) =>
      isContractError(error, ContractErrorCode.BROADCAST_FAILED),
    )
  })
})

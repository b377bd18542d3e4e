/**
 * The dashboard is built on its first request, not when the node starts: a node nobody visits
 * never loads esbuild nor holds the bundle (an idle node's memory, docs/performance.md).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { dashboardRoutes } from '../../../src/api/routes/dashboard.ts'
import { buildDashboard } from '../../../src/dashboard/assets.ts'

describe('dashboard build', () => {
  it('waits for the first request, then builds once', async () => {
    let builds = 0
    const app = Fastify()
    await app.register(dashboardRoutes, {
      assets: () => {
        builds++
        return buildDashboard()
      },
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      await new Promise((done) => setTimeout(done, 200))
      assert.equal(builds, 0, 'nothing built while nobody asked')
      const { port } = app.server.address() as { port: number }
      const page = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /app\.js\?v=[0-9a-f]{16}/)
      assert.equal(builds, 1)
    } finally {
      await app.close()
    }
  })
})

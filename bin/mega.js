#!/usr/bin/env -S node --max-semi-space-size=1
// The `mega` executable. Plain JavaScript so that Node's compile cache is on before the first
// `.ts` module loads: with every module's stripped text and code in the cache, Node never loads
// its TypeScript stripper (WebAssembly, ≈ 22 MiB of RSS a node keeps for good). The cache is
// `NODE_COMPILE_CACHE` or `<tmpdir>/node-compile-cache`; `NODE_DISABLE_COMPILE_CACHE=1` turns it
// off. The flag caps V8's young generation: see NODE_FLAGS in src/cli/node-bundle.ts.
// `mega node` runs from one bundled file instead, in this process (`MEGA_BUNDLE=0`: from the
// sources): see src/cli/node-bundle.ts.
import { enableCompileCache } from 'node:module'

const cache = enableCompileCache()
if (process.argv[2] === 'node') {
  const { execBundledNode } = await import('../src/cli/node-bundle.ts')
  await execBundledNode(cache.directory)
}
await import('./mega.ts')

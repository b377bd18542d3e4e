/**
 * What a browser bundle may not hold: a Node built-in module or a native package (compiled
 * code such as the DLC library), reached through any chain of imports. esbuild leaves Node's
 * built-ins out of the bundle (`BROWSER_EXTERNALS`) instead of failing on the first it cannot
 * resolve, and `checkBrowserInputs` then names every chain from an entry to such a module, so
 * a bundle that would break in a browser fails its build saying which import brought it in.
 */
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import type { Metafile } from 'esbuild'

/** esbuild's `external` of every browser bundle: Node's built-ins and native binaries, to be named by the check. */
export const BROWSER_EXTERNALS: readonly string[] = ['node:*', '*.node', ...builtinModules]

const BUILTIN = new Set(builtinModules)

/**
 * Throws an error listing each import chain (entry → … → module) by which the bundle described
 * by `metafile` reaches a Node built-in or a module of a native package. `cwd` is the build's
 * working directory (esbuild's input paths are relative to it).
 */
export function checkBrowserInputs(metafile: Metafile, cwd = process.cwd()): void {
  const entries = Object.values(metafile.outputs).flatMap((output) =>
    output.entryPoint === undefined ? [] : [output.entryPoint],
  )
  const parent = new Map<string, string | undefined>(entries.map((entry) => [entry, undefined]))
  const queue = [...entries]
  const chains: string[] = []
  const chainTo = (path: string) => {
    const chain = [path]
    for (let at = parent.get(path); at !== undefined; at = parent.get(at)) chain.unshift(at)
    return chain.join(' → ')
  }
  const native = nativePackages(cwd)
  while (queue.length > 0) {
    const path = queue.shift()!
    const nativeName = native(path)
    if (nativeName) chains.push(`${chainTo(path)} (the native package ${nativeName})`)
    for (const imported of metafile.inputs[path]?.imports ?? []) {
      if (imported.external) {
        if (
          imported.path.startsWith('node:') ||
          BUILTIN.has(imported.path) ||
          imported.path.endsWith('.node')
        )
          chains.push(`${chainTo(path)} → ${imported.path}`)
        continue
      }
      if (parent.has(imported.path)) continue
      parent.set(imported.path, path)
      queue.push(imported.path)
    }
  }
  if (chains.length > 0)
    throw new Error(
      `a browser bundle reaches Node-only code (a Node built-in or a native package):\n  ${chains.join('\n  ')}`,
    )
}

/** Whether an input lies in a native package (its package.json declares an N-API or node-gyp build, or it is a `.node` binary); its name, if so. */
function nativePackages(cwd: string): (path: string) => string | undefined {
  const known = new Map<string, boolean>()
  return (path) => {
    const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(path)
    if (!match) return path.endsWith('.node') ? path : undefined
    const [, prefix, name] = match as unknown as [string, string, string]
    if (!known.has(prefix + name)) {
      let isNative = path.endsWith('.node')
      try {
        const manifest = JSON.parse(readFileSync(join(cwd, prefix, name, 'package.json'), 'utf8')) as Record<
          string,
          unknown
        >
        isNative ||= manifest.napi !== undefined || manifest.gypfile === true || manifest.binary !== undefined
      } catch {
        // no readable manifest: judged by the file alone
      }
      known.set(prefix + name, isNative)
    }
    return known.get(prefix + name) || path.endsWith('.node') ? name : undefined
  }
}

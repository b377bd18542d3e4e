/**
 * Fact sources: where the endpoint learns the answer to a request. Three kinds, configured per
 * capability:
 * - `file`: a JSON or YAML file of `{ facts: [{ args: {…}, answer }] }`, read on each lookup so
 *   an operator can edit it while the endpoint runs;
 * - `command`: a program run with `spawn` (never a shell), in its own process group, the request's arguments appended
 *   as `name=value` argv entries in the capability's parameter order; its first stdout line is
 *   the answer, an empty output means "not known yet", a non-zero exit or a timeout is a failure;
 * - `http`: a GET of a URL whose `{name}` placeholders are replaced by URL-encoded arguments,
 *   the answer found at a JSON pointer in the JSON response (null or absent: not known yet).
 *
 * A source only ever sees requests the capability allows (the endpoint checks them first), and
 * its answer is checked against the capability's answers before anything is signed.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import type { ErrorDetails, FactRequest, OracleCapability } from '../protocol/index.ts'
import { OracleError, OracleErrorCode } from './errors.ts'

/** How a capability's facts are looked up (stored in the oracle's state file). */
export type FactSourceConfig =
  | { type: 'file'; path: string }
  | { type: 'command'; command: string[]; timeoutMs?: number }
  | { type: 'http'; url: string; pointer: string; timeoutMs?: number }

/** Looks up the answer to a request: a string, or undefined when not known yet. */
export type FactSource = (request: FactRequest, capability: OracleCapability) => Promise<string | undefined>

/** Default time a command or HTTP source may take. */
const DEFAULT_SOURCE_TIMEOUT_MS = 5_000
/** Bytes of output read from a command or HTTP response; the rest is a failure, not a fact. */
const MAX_OUTPUT_BYTES = 64 * 1024

/** Builds the source a configuration describes. Throws `SOURCE_CONFIG` for a malformed one. */
export function factSource(config: FactSourceConfig): FactSource {
  switch (config?.type) {
    case 'file':
      if (typeof config.path !== 'string' || config.path === '') throw configError('file source needs a path')
      return (request) => fromFile(config.path, request)
    case 'command':
      if (!Array.isArray(config.command) || config.command.length === 0 || !config.command.every(isText)) {
        throw configError('command source needs a non-empty array of strings (program and its arguments)')
      }
      return (request, capability) => runCommand(config, argvOf(request, capability))
    case 'http':
      if (!/^https?:\/\//.test(String(config.url))) throw configError('http source needs an http(s) URL')
      if (typeof config.pointer !== 'string' || !(config.pointer === '' || config.pointer.startsWith('/'))) {
        throw configError('http source needs a JSON pointer such as /result/winner')
      }
      return (request) => fromHttp(config, request)
    default:
      throw configError('source type must be file, command or http')
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function configError(message: string): OracleError {
  return new OracleError(OracleErrorCode.SOURCE_CONFIG, message)
}

function failed(message: string, cause?: unknown, details: ErrorDetails = {}): OracleError {
  return new OracleError(OracleErrorCode.SOURCE_FAILED, message, details, { cause })
}

/** The request's arguments as `name=value`, in the capability's parameter order. */
function argvOf(request: FactRequest, capability: OracleCapability): string[] {
  return capability.params.map((param) => `${param.name}=${request.args[param.name] ?? ''}`)
}

async function fromFile(path: string, request: FactRequest): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw failed(`cannot read the fact file ${path}: ${(error as NodeJS.ErrnoException).code}`, error)
  }
  let document: unknown
  try {
    document = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    throw failed(`the fact file ${path} does not parse: ${(error as Error).message}`, error)
  }
  const facts = (document as { facts?: unknown })?.facts
  if (!Array.isArray(facts)) throw failed(`the fact file ${path} has no "facts" list`)
  for (const entry of facts as { args?: Record<string, unknown>; answer?: unknown }[]) {
    if (entry && typeof entry.args === 'object' && sameArgs(entry.args, request.args)) {
      if (entry.answer === undefined || entry.answer === null) return undefined
      return String(entry.answer)
    }
  }
  return undefined
}

function sameArgs(entry: Record<string, unknown>, args: Record<string, string>): boolean {
  const keys = Object.keys(args)
  return Object.keys(entry).length === keys.length && keys.every((key) => String(entry[key]) === args[key])
}

/**
 * Runs `config.command` with `extra` appended to its argv, without a shell and with a minimal
 * environment; resolves with the first line of stdout (undefined when empty). Throws
 * `SOURCE_FAILED` on a non-zero exit (`details.exitCode`: the program ran and said no), a
 * timeout (the process is killed) or too much output.
 */
export function runCommand(
  config: { command: string[]; timeoutMs?: number },
  extra: string[],
): Promise<string | undefined> {
  const [program, ...fixed] = config.command as [string, ...string[]]
  const timeoutMs = config.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS
  return new Promise((resolve, reject) => {
    // Its own process group (detached), so a timeout kills the program *and* its children.
    const child = spawn(program, [...fixed, ...extra], {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    })
    const chunks: Buffer[] = []
    let size = 0
    let failure: string | undefined
    const killGroup = (reason: string) => {
      failure ??= reason
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => killGroup(`timed out after ${timeoutMs} ms`), timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_OUTPUT_BYTES) killGroup(`printed more than ${MAX_OUTPUT_BYTES} bytes`)
      else chunks.push(chunk)
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(
        failed(`the command ${program} could not start (${(error as NodeJS.ErrnoException).code})`, error),
      )
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (failure === undefined && code !== 0) {
        reject(
          failed(`the command ${program} failed (${code ?? signal})`, undefined, {
            exitCode: code ?? undefined,
          }),
        )
        return
      }
      if (failure !== undefined) {
        reject(failed(`the command ${program} ${failure}`))
        return
      }
      const answer = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!.trim()
      resolve(answer === '' ? undefined : answer)
    })
  })
}

async function fromHttp(
  config: { url: string; pointer: string; timeoutMs?: number },
  request: FactRequest,
): Promise<string | undefined> {
  const url = config.url.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) =>
    encodeURIComponent(request.args[name] ?? ''),
  )
  let response: Response
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS),
      headers: { accept: 'application/json' },
      redirect: 'error',
    })
  } catch (error) {
    throw failed(`the fact URL ${new URL(url).origin} did not answer: ${(error as Error).message}`, error)
  }
  if (!response.ok) throw failed(`the fact URL answered HTTP ${response.status}`)
  const text = await response.text()
  if (text.length > MAX_OUTPUT_BYTES) throw failed('the fact URL answered more than 64 KiB')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw failed('the fact URL did not answer JSON', error)
  }
  const found = resolvePointer(value, config.pointer)
  if (found === undefined || found === null) return undefined
  if (typeof found === 'object') throw failed(`${config.pointer} in the response is not a value`)
  return String(found)
}

/** RFC 6901 JSON pointer lookup; undefined when a step is missing. */
export function resolvePointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value
  let current = value
  for (const raw of pointer.slice(1).split('/')) {
    const step = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return undefined
    current = (current as Record<string, unknown>)[step]
  }
  return current
}

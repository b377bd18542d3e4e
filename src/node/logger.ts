/**
 * Structured logs (pino) on stderr: JSON lines for machines, or a human-readable rendering
 * when stderr is a terminal (or `log.pretty` says so).
 */
import { createRequire } from 'node:module'
import pino, { type Logger } from 'pino'

export type { Logger }

export interface LoggerInit {
  level?: string
  /** Human-readable output. @default process.stderr.isTTY */
  pretty?: boolean
}

/** Creates the node's root logger; modules take children: `logger.child({ module: 'api' })`. */
export function createLogger(init: LoggerInit = {}): Logger {
  const level = init.level ?? 'info'
  if (init.pretty ?? process.stderr.isTTY) {
    // Loaded only here: ≈ 10 MB of RSS a node logging JSON (a service, a devnet) never uses.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty')
    return pino(
      { level },
      pretty({
        destination: 2,
        colorize: process.stderr.isTTY,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    )
  }
  return pino({ level }, pino.destination({ dest: 2, sync: false }))
}

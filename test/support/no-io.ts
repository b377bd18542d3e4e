/**
 * Preloaded by `npm run test:unit` (`node --import`): in a unit test process, listening, connecting
 * (fetch included), binding a UDP socket or starting a child process throws, naming what was
 * tried. test/unit/tests/split.test.ts reads the tests' own code; this catches what they reach
 * through src, bench or a dependency.
 */
import childProcess from 'node:child_process'
import dgram from 'node:dgram'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

function refuse(what: string): never {
  throw new Error(`a unit test may not ${what}: it belongs in test/e2e`)
}

net.Server.prototype.listen = () => refuse('listen on a port')
net.Socket.prototype.connect = () => refuse('open a connection')
dgram.Socket.prototype.bind = () => refuse('bind a UDP socket')
for (const name of ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync'] as const)
  Object.assign(childProcess, { [name]: () => refuse(`start a process (${name})`) })
// The named exports (`import { spawn } from 'node:child_process'`) follow the patched ones.
syncBuiltinESMExports()

/**
 * What the `mega` executable does before the command runs, so that it behaves like any other
 * command typed in a shell: relative paths resolve against the directory the user typed in,
 * and a reader that stops early (`| head`, a failed `jq`) ends the output quietly.
 */

/**
 * `npm run` starts a script in the package's root and keeps the directory the user typed in as
 * `INIT_CWD`. When this process is such a script of ours (`npm run -s mega -- …`, `npm start`),
 * it moves back there, so `--dir ./oracle` or `post oracle ad.json` mean what they say. The
 * variables are then removed, so processes it starts (devnet nodes) do not move again.
 */
export function returnToInvocationDirectory(env: NodeJS.ProcessEnv = process.env): boolean {
  const typedIn = env.INIT_CWD
  const script = env.npm_lifecycle_script ?? ''
  if (!typedIn || !/(^|\s)bin\/mega\.[jt]s(\s|$)/.test(script)) return false
  process.chdir(typedIn)
  delete env.INIT_CWD
  delete env.npm_lifecycle_script
  return true
}

/**
 * `npm run` starts the script through `sh -c`, and a SIGTERM sent to npm (`kill %1` on a
 * background `npm run -s mega -- oracle serve &`) stops npm and the shell but not this process,
 * which would keep serving as an orphan. So a process started by npm watches its parent, and
 * stops as if it had received SIGTERM once that parent is gone.
 */
export function stopWithParent(checkEveryMs = 500): void {
  // process.ppid is read once at start-up, so the parent is probed instead.
  const parent = process.ppid
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0)
    } catch {
      clearInterval(timer)
      process.kill(process.pid, 'SIGTERM')
    }
  }, checkEveryMs).unref()
}

/**
 * A closed pipe on standard output or error (`EPIPE`: the reader went away) ends the process
 * with code 0 and no stack trace: the reader chose to stop, and has already said why if anything
 * went wrong. Any other stream error is still thrown.
 */
export function exitQuietlyOnClosedPipe(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      process.exit(0)
    })
  }
}

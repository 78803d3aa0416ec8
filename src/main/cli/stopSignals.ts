import { readFileSync } from 'node:fs'

export type StopCause = 'SIGINT' | 'SIGTERM'

/**
 * Calls `onStop` on SIGINT and SIGTERM, and also when the npm or npx process that started this one
 * goes away: npm and npx do not pass SIGTERM on to the program they start (`kill <npm pid>` leaves it
 * running, re-parented to init, holding its port and database). A launcher that vanishes counts as
 * SIGTERM. Started directly (a shell, systemd, a terminal multiplexer), only signals count, so
 * `nohup gridforge serve &` survives its terminal closing. Returns the function that stops listening.
 */
export function onStopSignals(onStop: (cause: StopCause) => void, pollMs = 1000): () => void {
  const onInt = () => onStop('SIGINT')
  const onTerm = () => onStop('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  const watched = launcherChain()
  const timer = setInterval(() => {
    if (watched.some((pid) => !alive(pid))) {
      clearInterval(timer)
      onTerm()
    }
  }, pollMs)
  timer.unref()
  if (watched.length === 0) clearInterval(timer)
  return () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    clearInterval(timer)
  }
}

/**
 * The processes between this one and the npm/npx that launched it (npm runs scripts through `sh -c`),
 * that one included; empty when not launched by npm. Without /proc (macOS, Windows) only the parent.
 */
export function launcherChain(env: NodeJS.ProcessEnv = process.env): number[] {
  if (!env.npm_command && !env.npm_lifecycle_event) return []
  const chain: number[] = []
  let pid = process.ppid
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    chain.push(pid)
    const info = procInfo(pid)
    if (!info) return [process.ppid]
    if (/\bnp[mx](-cli\.js)?\b/.test(info.cmdline)) return chain
    pid = info.ppid
  }
  return [process.ppid]
}

function procInfo(pid: number): { ppid: number; cmdline: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name in parentheses may itself contain spaces or parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    return Number.isInteger(ppid) ? { ppid, cmdline } : null
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

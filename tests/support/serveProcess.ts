import { spawn, type ChildProcess } from 'node:child_process'
import { cliEntry } from './paths.js'

/** A running `gridforge serve` started the way a user starts it. */
export interface ServeProcess {
  child: ChildProcess
  url: string
  token: string
  /** stderr so far, for assertions and failure messages. */
  stderr(): string
  /** Resolves once stdout has printed `text`; fails if serve exits first. */
  printed(text: string): Promise<void>
  stop(signal?: NodeJS.Signals): Promise<void>
}

/**
 * Starts `gridforge serve` on a free loopback port (with `extraArgs` after the usual ones) and waits for its
 * URL line. A null token starts it as a user does, without `--token` (the token kept in the data folder, or a
 * new one), and reads the printed one.
 */
export async function startServe(
  dataDir: string,
  token: string | null = 'test-token-0123456789abcdef',
  port = 0,
  env: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [cliEntry, 'serve', '--data-dir', dataDir, '--port', String(port), ...(token === null ? [] : ['--token', token]), ...extraArgs],
    // Model headers and downloads go to a closed loopback port unless a test serves them: never the internet.
    { env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  let stdout = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const [url, printedToken] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = /Open (http:\/\/\S+?)#token=(\S+)/.exec(stdout)
      if (match?.[1] && match[2]) resolve([match[1], match[2]])
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  return {
    child,
    url,
    token: printedToken,
    stderr: () => stderr,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`serve exited with ${code} before printing "${text}": ${stderr}`))
        const check = () => {
          if (!stdout.includes(text)) return
          child.stdout!.off('data', check)
          child.off('exit', exited)
          resolve()
        }
        child.stdout!.on('data', check)
        child.once('exit', exited)
        check()
      }),
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill(signal)
      }),
  }
}

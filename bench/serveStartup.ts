import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childPids, rssMb } from './resources.js'

/** Cold start of `gridforge serve` (no model) to its first HTTP 200, and its idle memory. */
export async function measureServeStartup(
  cliEntry: string,
): Promise<{ coldStartMs: number; hostRssMb: number | null; engineRssMb: number | null }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridforge-bench-'))
  const started = performance.now()
  const child = spawn(process.execPath, [cliEntry, 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GRIDFORGE_GPU: 'off' },
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /Open (http:\/\/\S+?)#/.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)))
    })
    for (;;) {
      const response = await fetch(url).catch(() => null)
      if (response?.status === 200) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const coldStartMs = performance.now() - started
    // Let the engine process finish starting before reading idle memory.
    await new Promise((r) => setTimeout(r, 1500))
    const engine = childPids(child.pid)[0]
    return { coldStartMs, hostRssMb: rssMb(child.pid), engineRssMb: rssMb(engine) }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

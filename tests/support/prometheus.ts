import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** What to install when Prometheus is missing; said in one line when a test skips for it. */
export const PROMETHEUS_MISSING = "skipped: install Debian's prometheus package (apt-get install prometheus) for the Prometheus tests"

function onPath(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore', timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

/**
 * Whether `prometheus` and `promtool` can run here: installs Debian's package when they are missing and
 * this runs as root on Debian; anywhere else the caller skips.
 */
export function ensurePrometheus(): boolean {
  if (onPath('prometheus') && onPath('promtool')) return true
  if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) return false
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], {
      stdio: 'ignore',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  try {
    install()
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 120_000 })
      install()
    } catch {
      return false
    }
  }
  return onPath('prometheus') && onPath('promtool')
}

/** A Prometheus on loopback with its own config and storage, scraping `targets` every `intervalSeconds`. */
export interface TestPrometheus {
  url: string
  /** The PromQL query's instant vector: labels and value of each series. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>
  close(): Promise<void>
}

export async function startPrometheus(options: { port: number; targets: string[]; intervalSeconds: number }): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${options.intervalSeconds}s`,
      `  scrape_timeout: ${options.intervalSeconds}s`,
      'scrape_configs:',
      '  - job_name: gridforge',
      '    static_configs:',
      `      - targets: [${options.targets.map((target) => `'${target}'`).join(', ')}]`,
      '',
    ].join('\n'),
  )
  const url = `http://127.0.0.1:${options.port}`
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${options.port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async () => {
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  const ready = await poll(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true, 30_000, 250)
  if (!ready) {
    await close()
    throw new Error(`Prometheus did not start: ${log}`)
  }
  return {
    url,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      const body = (await response.json()) as {
        status: string
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }
      }
      if (body.status !== 'success' || !body.data) throw new Error(`PromQL ${promql} failed: ${JSON.stringify(body)}`)
      return body.data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }))
    },
    close,
  }
}

/** Asks `check` every `everyMs` until it is true or `withinMs` passed; resolves with the last answer. */
export async function poll(check: () => Promise<boolean>, withinMs: number, everyMs: number): Promise<boolean> {
  const until = Date.now() + withinMs
  for (;;) {
    if (await check()) return true
    if (Date.now() >= until) return false
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

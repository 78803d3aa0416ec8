import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../support/freePort.js'
import { repoRoot, requireBuild, tempDataDir } from '../support/paths.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

/** Whether something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting until ${what}`)
}

// npm and npx do not pass SIGTERM on to what they start; `kill <npm pid>` must still stop GridForge.
type Launch = (dir: string, port: number) => [string, string[]]
const launches: Array<[string, Launch]> = [
  ['npm run serve', (dir, port) => ['npm', ['run', 'serve', '--', '--data-dir', dir, '--port', String(port)]]],
  ['npx gridforge serve', (dir, port) => ['npx', ['gridforge', 'serve', '--data-dir', dir, '--port', String(port)]]],
]

describe.each(launches)('%s stopped with SIGTERM sent to the launcher', (_name, command) => {
  it('stops gracefully and frees its port', async () => {
    requireBuild()
    const temp = tempDataDir()
    cleanups.push(temp.cleanup)
    const port = await freePort()
    const [program, args] = command(temp.dir, port)
    const launcher = spawn(program, args, {
      cwd: repoRoot,
      env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    // The program keeps writing to the launcher's pipes after the launcher has gone.
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    cleanups.push(() => launcher.kill('SIGKILL'))
    await until(async () => output.includes('GridForge is running'), 'serve printed its URL')
    expect(await listening(port)).toBe(true)

    launcher.kill('SIGTERM')

    await until(async () => !(await listening(port)), 'the port was released')
    expect(output).toContain('Stopping GridForge')
  })
})

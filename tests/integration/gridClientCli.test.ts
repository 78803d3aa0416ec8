import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

function gridforge(args: string[]): Promise<{ code: number | null; stderr: string }> {
  requireBuild()
  const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', temp.dir], { env: { ...process.env, GRIDFORGE_GPU: 'off' } })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })))
}

describe('gridforge worker --grid-url', () => {
  it.each(['aipg', 'horde'])('refuses a plain-http grid off this PC on %s before the key is read or sent', async (network) => {
    const result = await gridforge([
      'worker',
      '--network',
      network,
      '--grid-url',
      'http://grid.example.com',
      '--api-key-file',
      '/nonexistent/key',
      '--model',
      'x',
      '--name',
      'rig',
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--grid-url: the grid URL must start with https:\/\/ \(your API key is sent to it\)/)
    expect(result.stderr).not.toMatch(/API key file/)
  })
})

import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'

const run = promisify(execFile)
const temp = tempDataDir()
afterAll(() => temp.cleanup())

const gridforge = (...args: string[]) =>
  run(process.execPath, [cliEntry, ...args, '--data-dir', temp.dir]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe('gridforge models', () => {
  it('lists the models folder and reads a GGUF header', async () => {
    requireBuild()
    expect((await gridforge('models', 'list')).stdout).toContain('stories260K.gguf  1.2 MB')
    const info = await gridforge('models', 'info', temp.model)
    expect(info.code).toBe(0)
    expect(info.stdout).toMatch(/architecture\s+llama/)
    expect(info.stdout).toMatch(/context length\s+2048/)
    expect(info.stdout).toMatch(/chat template\s+no/)
  })

  it('says in one sentence when a file is not a GGUF model', async () => {
    const bogus = join(temp.dir, 'notes.gguf')
    writeFileSync(bogus, 'hello, not a model')
    const info = await gridforge('models', 'info', bogus)
    expect(info.code).toBe(2)
    expect(info.stderr.trim()).toMatch(/^gridforge: notes\.gguf could not be read as a GGUF model/)
    expect(info.stderr.trim().split('\n')).toHaveLength(1)
  })
})

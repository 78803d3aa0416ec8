import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEntry, requireBuild, tempDataDir } from '../support/paths.js'

const run = promisify(execFile)
const temp = tempDataDir()
beforeAll(() => requireBuild())
afterAll(() => temp.cleanup())

const gridforge = (...args: string[]) =>
  run(process.execPath, [cliEntry, ...args, '--data-dir', temp.dir], {
    env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe('gridforge chat', () => {
  it('streams a reply from the model given by its id (as models list shows it) and keeps it in the history', async () => {
    const reply = await gridforge('chat', '--model', 'stories260k', 'Once upon a time')
    expect(reply.code).toBe(0)
    expect(reply.stdout.trim().length).toBeGreaterThan(20)
    const again = await gridforge('chat', '--model', temp.model, 'Once upon a time')
    expect(again.code).toBe(0)
  })

  it('says in one sentence when the model does not exist', async () => {
    const missing = await gridforge('chat', '--model', 'no-such-model', 'Hello')
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim()).toMatch(/^gridforge: No model file "no-such-model" \(looked for a path and in .*models\)\.$/)
  })
})

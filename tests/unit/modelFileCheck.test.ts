import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkModelFile } from '../../src/main/lib/modelFileCheck.js'
import { tinyModel } from '../support/paths.js'

const dir = mkdtempSync(join(tmpdir(), 'gridforge-modelfile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('checking a model file before anything is unloaded', () => {
  it('accepts a real GGUF model', async () => {
    await expect(checkModelFile(tinyModel)).resolves.toBeUndefined()
  })

  it.each([
    ['a mistyped path', () => join(dir, 'missing.gguf'), 'NOT_FOUND', /^No model file at .*missing\.gguf; check the path\.$/],
    [
      'a folder',
      () => {
        mkdirSync(join(dir, 'folder.gguf'), { recursive: true })
        return join(dir, 'folder.gguf')
      },
      'MODEL_INVALID',
      /folder\.gguf is a folder; choose the \.gguf file inside it\.$/,
    ],
    [
      'a text file named .gguf',
      () => {
        writeFileSync(join(dir, 'notes.gguf'), 'not a model, only some words in a file\n')
        return join(dir, 'notes.gguf')
      },
      'MODEL_INVALID',
      /^notes\.gguf is not a valid GGUF model file: it does not start with the GGUF signature\.$/,
    ],
    [
      'a named pipe (never opened: reading it would wait for a writer)',
      () => {
        execFileSync('mkfifo', [join(dir, 'pipe.gguf')])
        return join(dir, 'pipe.gguf')
      },
      'MODEL_INVALID',
      /pipe\.gguf is not a regular file, so it cannot be a model\.$/,
    ],
  ])('refuses %s with one sentence', async (_name, path, code, sentence) => {
    const error = await checkModelFile(path()).catch((e: unknown) => e)
    expect(error).toMatchObject({ code })
    expect((error as Error).message).toMatch(sentence)
  })

  // root reads every file whatever its mode, so the refusal can only be seen as another user.
  it.skipIf(process.getuid?.() === 0)('refuses a file it may not read', async () => {
    const locked = join(dir, 'locked.gguf')
    writeFileSync(locked, 'GGUF')
    chmodSync(locked, 0o000)
    await expect(checkModelFile(locked)).rejects.toThrow(/is not allowed to read .*locked\.gguf; check the file's permissions\./)
  })
})

import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { startFileServer, type FileServer } from '../support/fileServer.js'
import { cliEntry, requireBuild, tempDataDir, tinyModel } from '../support/paths.js'

const run = promisify(execFile)
const temp = tempDataDir()
const smallest = [...loadCatalog()].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!
const hfPath = smallest.uri.replace(/^hf:([^/]+)\/([^/]+)\//, '$1/$2/resolve/main/')
let server: FileServer

beforeAll(async () => {
  requireBuild()
  // Hugging Face's model API lists a repo's files; `hf:<user>/<repo>:<quant>` picks one from it.
  const [user, repo] = smallest.uri.slice(3).split('/')
  const listing = join(temp.dir, 'repo.json')
  writeFileSync(
    listing,
    JSON.stringify({
      siblings: [
        { rfilename: 'README.md' },
        { rfilename: smallest.fileName.replace(/q4_k_m/i, 'q8_0') },
        { rfilename: smallest.fileName },
        { rfilename: 'mmproj-f16.gguf' },
      ],
    }),
  )
  server = await startFileServer({ [hfPath]: tinyModel, 'files/story.gguf': tinyModel, [`api/models/${user}/${repo}`]: listing })
})
afterAll(async () => {
  await server.close()
  temp.cleanup()
})

/** Runs the CLI as a user would; the Hugging Face endpoint is the local file server, never the internet. */
const gridforge = (...args: string[]) =>
  run(process.execPath, [cliEntry, ...args, '--data-dir', temp.dir], {
    env: { ...process.env, HF_ENDPOINT: server.origin, GRIDFORGE_GPU: 'off' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe('gridforge models', () => {
  it('lists local models with their header facts, this PC, and the catalog with fit and a recommendation', async () => {
    const list = await gridforge('models', 'list')
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/This PC: no GPU, [\d.]+ GB RAM, \d+ cores/)
    expect(list.stdout).toMatch(/stories260k\s+1\.2 MB, 293K parameters, runs on the CPU/)
    // The smallest catalog entry is served locally, so its header is read and it fits; the others are 404s here.
    expect(list.stdout).toMatch(new RegExp(`${smallest.id}\\s+[\\d.]+ MB\\s+runs on the CPU, \\d+ context ★ recommended`))
    expect(list.stdout).toMatch(/fit unknown \(The header of .* could not be read .*404/)
  })

  it('pulls a model with plain progress lines, verifies and registers it; a second pull says it is there', async () => {
    const pull = await gridforge('models', 'pull', server.url('files/story.gguf'))
    expect(pull.code).toBe(0)
    expect(pull.stdout).toContain(`Downloading story.gguf into ${join(temp.dir, 'models')}`)
    expect(pull.stdout).toMatch(/\[#+\] 100% 1\.2 MB of 1\.2 MB/)
    expect(pull.stdout).toContain('Done: model "story" is ready (sha256 verified).')
    const again = await gridforge('models', 'pull', server.url('files/story.gguf'))
    expect(again.code).toBe(2)
    expect(again.stderr.trim()).toBe('gridforge: story.gguf is already downloaded (model "story").')
  })

  it('pulls a catalog model by id from the Hugging Face endpoint', async () => {
    const pull = await gridforge('models', 'pull', smallest.id)
    expect(pull.code).toBe(0)
    expect(existsSync(join(temp.dir, 'models', smallest.fileName))).toBe(true)
  })

  it('resolves hf:<user>/<repo>:<quant> to the repo file with that quantization, and says which exist otherwise', async () => {
    const repoUri = smallest.uri.slice(0, smallest.uri.lastIndexOf('/'))
    const rm = await gridforge('models', 'rm', smallest.fileName.replace(/\.gguf$/i, '').toLowerCase())
    expect(rm.code).toBe(0)
    const pull = await gridforge('models', 'pull', `${repoUri}:q4_k_m`)
    expect(pull.stdout).toContain(`Downloading ${smallest.fileName}`)
    expect(pull.code).toBe(0)
    const missing = await gridforge('models', 'pull', `${repoUri}:Q5_K_S`)
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim()).toBe(`gridforge: ${repoUri.slice(3)} has no Q5_K_S file (it has Q8_0, Q4_K_M).`)
  })

  it('fails a pull in one sentence: a 404, a bad checksum, a source that is not a model', async () => {
    const missing = await gridforge('models', 'pull', server.url('files/none.gguf'))
    expect(missing.stderr.trim()).toBe('gridforge: The server has no file at that address (HTTP 404).')
    const checksum = await gridforge('models', 'pull', server.url('files/story.gguf').replace('story', 'story'), '--sha256', 'zz')
    expect(checksum.stderr.trim()).toBe('gridforge: A sha256 checksum is 64 hexadecimal characters.')
    const bogus = await gridforge('models', 'pull', '/etc/passwd')
    expect(bogus.code).toBe(2)
    expect(bogus.stderr.trim()).toMatch(/^gridforge: "\/etc\/passwd" is not a catalog model, an hf: URI or an http\(s\) URL\.$/)
  })

  it('registers models in place from LM Studio and Ollama folders, and removes without deleting their files', async () => {
    const lmStudio = join(temp.dir, 'lmstudio', 'publisher', 'repo')
    mkdirSync(lmStudio, { recursive: true })
    copyFileSync(tinyModel, join(lmStudio, 'Tiny-Q8_0.gguf'))
    writeFileSync(join(lmStudio, 'README.md'), 'not a model')
    const ollama = join(temp.dir, 'ollama')
    const digest = `sha256:${'a'.repeat(64)}`
    mkdirSync(join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'tiny'), { recursive: true })
    mkdirSync(join(ollama, 'blobs'), { recursive: true })
    copyFileSync(tinyModel, join(ollama, 'blobs', digest.replace(':', '-')))
    writeFileSync(
      join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'tiny', 'latest'),
      JSON.stringify({ layers: [{ mediaType: 'application/vnd.ollama.image.model', digest }] }),
    )
    const lm = await gridforge('models', 'add', join(temp.dir, 'lmstudio'))
    expect(lm.stdout).toMatch(/Registered tiny-q8_0\s+.*Tiny-Q8_0\.gguf/)
    const ol = await gridforge('models', 'add', ollama)
    expect(ol.stdout).toMatch(/Registered tiny-latest\s+.*blobs\/sha256-a+/)
    const removed = await gridforge('models', 'rm', 'tiny-q8_0')
    expect(removed.stdout).toContain('Removed tiny-q8_0; the file stays at')
    expect(existsSync(join(lmStudio, 'Tiny-Q8_0.gguf'))).toBe(true)
    const deleted = await gridforge('models', 'rm', 'story')
    expect(deleted.stdout).toContain('Removed story and deleted')
    expect(existsSync(join(temp.dir, 'models', 'story.gguf'))).toBe(false)
    const unknown = await gridforge('models', 'rm', 'nothing-here')
    expect(unknown.stderr.trim()).toBe('gridforge: No model "nothing-here" is registered; see gridforge models list.')
  })

  it('reads a GGUF header, and says in one sentence when a file is not a GGUF model', async () => {
    const info = await gridforge('models', 'info', temp.model)
    expect(info.code).toBe(0)
    expect(info.stdout).toMatch(/architecture\s+llama/)
    expect(info.stdout).toMatch(/context length\s+2048/)
    expect(info.stdout).toMatch(/chat template\s+no/)
    const bogus = join(temp.dir, 'notes.gguf')
    writeFileSync(bogus, 'hello, not a model')
    const bad = await gridforge('models', 'info', bogus)
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toMatch(/^gridforge: notes\.gguf could not be read as a GGUF model/)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })
})

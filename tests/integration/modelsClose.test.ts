import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { Engine, ModelInspector } from '../../src/main/engine/engine.js'
import { unknownFit } from '../../src/main/models/fitEstimates.js'
import { ModelsService } from '../../src/main/models/modelsService.js'
import { openDatabase } from '../../src/main/store/database.js'
import { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import { FileSecretStore } from '../../src/main/store/secretStore.js'
import type { LocalModel, ModelFit } from '../../src/shared/models.js'
import { tinyModel } from '../support/paths.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('closing while a fit estimate refreshes the models list waits for it, so the closed database is never read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-models-close-'))
  dirs.push(dir)
  const modelsDir = join(dir, 'models')
  mkdirSync(modelsDir)
  copyFileSync(tinyModel, join(modelsDir, 'stories260K.gguf'))
  const db = openDatabase(join(dir, 'gridforge.db'))

  let finishEstimate: (fit: ModelFit) => void = () => undefined
  const inspector: ModelInspector = {
    inspect: () => new Promise((resolve) => (finishEstimate = resolve)),
    hardware: () => new Promise(() => undefined),
  }
  // The close arrives in the middle of the refresh an estimate starts: after its first read, before its second.
  let closeDuringRefresh = false
  let closed: Promise<void> | null = null
  const repo = new ModelsRepository(db)
  const listModels = repo.listModels.bind(repo)
  repo.listModels = () => {
    const records = listModels()
    if (closeDuringRefresh && !closed) closed = service.close().then(() => void db.close())
    return records
  }
  const service = new ModelsService({
    repo,
    modelsDir,
    catalog: [],
    inspector,
    engine: { snapshot: () => ({ model: null }) } as unknown as Engine,
    secrets: new FileSecretStore(join(dir, 'secrets')),
    resumeDownloads: false,
  })
  const announced: LocalModel[][] = []
  service.on('models.local', (models) => announced.push(models))

  const listed = await service.listLocal()
  expect(listed.map((model) => model.fileName)).toEqual(['stories260K.gguf'])
  closeDuringRefresh = true
  finishEstimate(unknownFit('not needed here'))

  await expect.poll(() => closed).not.toBeNull()
  await closed
  expect(db.open).toBe(false)
  expect(announced).toEqual([])
})

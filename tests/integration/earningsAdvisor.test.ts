import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_REGISTRY } from '../../src/grid/denRegistry.js'
import { denForJob } from '../../src/grid/denFormula.js'
import { EarningsAdvisor } from '../../src/main/advisor/earningsAdvisor.js'
import type { JobLogEntry } from '../../src/shared/domain.js'
import type { CatalogItem, LocalModel, ModelFit } from '../../src/shared/models.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { scriptedAipgWorker, type ScriptedAipgWorker } from '../support/gridChatWorkers.js'

let grid: DevGrid
let other: ScriptedAipgWorker

beforeAll(async () => {
  grid = await startDevGrid({ mode: 'aipg' })
  // Someone else already serves gpt-oss-20b on this grid.
  other = await scriptedAipgWorker(grid, { model: 'gpt-oss-20b', reply: 'hi', name: 'someone-else' })
})
afterAll(async () => {
  other.close()
  await grid.close()
})

const fit = (kind: ModelFit['kind']): ModelFit => ({
  kind,
  gpuLayers: 0,
  totalLayers: 24,
  contextSize: 8192,
  ramBytes: 1,
  vramBytes: 0,
  note: null,
})

const catalogItem = (id: string, fileName: string, aipg: string, sizeBytes: number, kind: ModelFit['kind']): CatalogItem => ({
  id,
  name: id,
  publisher: 'test',
  description: '',
  uri: `hf:test/${id}/${fileName}`,
  fileName,
  sizeBytes,
  sha256: null,
  license: 'apache-2.0',
  parameters: 1,
  contextLength: 8192,
  quantization: 'Q4_K_M',
  templateFamily: 'chatml',
  advertised: { aipg, horde: `koboldcpp/${id}` },
  fit: fit(kind),
  recommended: false,
  localModelId: null,
})

const local: LocalModel = {
  id: 'local-1',
  path: '/models/my-finetune-Q4_K_M.gguf',
  fileName: 'my-finetune-Q4_K_M.gguf',
  sizeBytes: 2e9,
  owned: false,
  source: null,
  catalogId: null,
  sha256: null,
  metadata: null,
  fit: fit('cpu'),
  present: true,
  addedAt: 0,
}

const job = (model: string, tokensPerSecond: number, completionTokens: number): JobLogEntry => ({
  network: 'aipg',
  jobId: `${model}-${tokensPerSecond}`,
  model,
  promptTokens: 10,
  completionTokens,
  durationMs: 1000,
  tokensPerSecond,
  reward: 1,
  state: 'ok',
  error: null,
  finishedAt: 0,
})

function advisor(gridUrl: string) {
  return new EarningsAdvisor({
    catalog: async () => [
      catalogItem('gpt-oss-20b-q4km', 'gpt-oss-20b-Q4_K_M.gguf', 'gpt-oss-20b', 12e9, 'gpu-full'),
      catalogItem('qwen2.5-0.5b', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', 'grid/Qwen2.5-0.5B-Instruct', 0.5e9, 'gpu-full'),
      catalogItem('huge', 'huge.gguf', 'gpt-oss-120b', 70e9, 'too-large'),
    ],
    localModels: async () => [local],
    registry: () => SEED_REGISTRY,
    // 40 GB/s of weights: the file size sets the CPU estimate.
    cpuTokensPerSecond: async (sizeBytes) => 40e9 / sizeBytes,
    jobs: () => [job('grid/Qwen2.5-0.5B-Instruct', 90, 150), job('grid/Qwen2.5-0.5B-Instruct', 70, 250), job('gpt-oss-20b', 10, 200)],
    gridAccess: () => ({ network: 'aipg', gridUrl, apiKey: null, agent: 'test' }),
    maxLength: () => 512,
    servingNow: () => [],
    now: () => 1_000,
  })
}

describe('the earnings advisor against the dev grid', () => {
  it('ranks what to mine on this PC with the grid\'s demand: "you would be worker #2 of gpt-oss-20b"', async () => {
    const report = await advisor(grid.url).report()
    expect(report).toMatchObject({ answerTokens: { value: 200, source: 'your-jobs' }, redundancyTarget: 3, demandProblem: null })
    expect(report.entries.map((entry) => entry.key)).toEqual(['gpt-oss-20b-q4km', 'qwen2.5-0.5b', 'local-1'])
    const [oss, qwen, mine] = report.entries
    expect(oss).toMatchObject({ advertisedName: 'gpt-oss-20b', multiplier: 20, workers: 1, needsWorkers: true, workerNumber: 2 })
    expect(oss).toMatchObject({ tokensPerSecond: 10, speedSource: 'measured', denPerAnswer: denForJob(200, 20) })
    expect(oss!.denPerHour).toBeCloseTo(((3600 * 10) / 200) * denForJob(200, 20), 1)
    // Eight times faster on this PC, but a registered name earns about 22 times as much per answer.
    expect(qwen).toMatchObject({ tokensPerSecond: 80, speedSource: 'measured', multiplier: 1, workers: 0, workerNumber: 1 })
    expect(qwen!.denPerHour).toBeLessThan(oss!.denPerHour!)
    // Never run here and no grid speed: the CPU estimate from its size stands in, and says so.
    expect(mine).toMatchObject({
      advertisedName: 'grid/my-finetune-Q4_K_M',
      speedSource: 'cpu-estimate',
      tokensPerSecond: 20,
      multiplier: 1,
    })
    expect(report.recommended).toBe('gpt-oss-20b-q4km')
  })

  it('offline, the ranking still comes, by den per hour, with one sentence on what is missing', async () => {
    grid.faults.down = true
    try {
      const report = await advisor(grid.url).report()
      expect(report.demandProblem).toMatch(/^The grid's demand is unavailable \(.+\); the ranking uses den per hour alone\.$/)
      expect(report.entries.every((entry) => entry.workers === null && entry.workerNumber === null)).toBe(true)
      expect(report.entries[0]!.key).toBe('gpt-oss-20b-q4km')
    } finally {
      grid.faults.down = false
    }
  })
})

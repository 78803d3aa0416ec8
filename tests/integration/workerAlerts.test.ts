import { createServer, type Server } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AlertSettingsStore } from '../../src/main/alerts/alertSettingsStore.js'
import { DEFAULT_ALERT_SETTINGS } from '../../src/shared/alerts.js'
import { openDatabase } from '../../src/main/store/database.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'
import { aipgWorkerArgs, runGridforge } from '../support/cliRun.js'
import { startDevGrid } from '../support/devGrid/index.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
afterAll(() => temp.cleanup())

describe('gridforge worker alerts', () => {
  it('delivers the webhook alerts set in Settings › Alerts of its data folder: a rig of the account offline', async () => {
    const posts: Array<Record<string, unknown>> = []
    const hook: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        posts.push(JSON.parse(body) as Record<string, unknown>)
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
    const address = hook.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const grid = await startDevGrid({ mode: 'aipg' })
    try {
      const seen = new Date(Date.now() - 3 * 3_600_000).toISOString()
      grid.aipg.rigs.set('alice#1', [
        {
          name: 'attic-rig',
          type: 'text',
          models: [],
          den_earned: 0,
          jobs_completed: 0,
          last_seen: seen,
          maintenance: false,
          online: false,
        },
      ])
      const db = openDatabase(join(temp.dir, 'gridforge.db'))
      try {
        new AlertSettingsStore(new SettingsRepository(db)).save({
          ...DEFAULT_ALERT_SETTINGS,
          webhook: { url: `http://127.0.0.1:${port}/hook`, format: 'json' },
        })
      } finally {
        db.close()
      }
      const keyFile = join(temp.dir, 'key')
      writeFileSync(keyFile, 'dev-key-alice\n')
      grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 } })
      const run = await runGridforge(temp.dir, aipgWorkerArgs(grid.url, keyFile, 'alerting-rig', ['--max-jobs', '1']))
      expect(run.code, run.stderr).toBe(0)
      // The desktop notification of the app is a log line here; the webhook got the same alert, naming this rig.
      expect(run.stderr).toContain('alert: A rig is offline: "attic-rig" has been offline for 10 minutes or more.')
      expect(posts).toEqual([expect.objectContaining({ kind: 'rig-offline', rig: 'alerting-rig', title: 'A rig is offline' })])
      expect(JSON.stringify(posts)).not.toContain('dev-key-alice')
    } finally {
      hook.close()
      await grid.close()
    }
  })
})

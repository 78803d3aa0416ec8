import { z } from 'zod'
import type { SettingsRepository } from '../store/settingsRepository.js'

const KEY = 'chat.draftModel'
const schema = z.object({ enabled: z.boolean() })

/** Whether chat drafts with a smaller model of the loaded model's family when one is downloaded. Off by default: on CPU-only machines it measured slower than plain decoding (README). */
export class DraftSetting {
  constructor(private readonly settings: SettingsRepository) {}

  get(): { enabled: boolean } {
    return this.settings.get(KEY, schema, { enabled: false })
  }

  set(enabled: boolean): { enabled: boolean } {
    this.settings.set(KEY, { enabled })
    return { enabled }
  }
}

import { z } from 'zod'
import type { SettingsRepository } from '../store/settingsRepository.js'

const KEY = 'earn.onboarding'
const schema = z.object({ done: z.boolean() })

/** Whether the first-run onboarding of the Earn view was finished or skipped, kept in the settings table. */
export class OnboardingFlag {
  constructor(private readonly settings: SettingsRepository) {}

  get(): { done: boolean } {
    return this.settings.get(KEY, schema, { done: false })
  }

  set(done: boolean): { done: boolean } {
    this.settings.set(KEY, { done })
    return { done }
  }
}

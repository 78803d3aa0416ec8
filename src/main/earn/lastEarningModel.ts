import { modelChoiceSchema, type ModelChoice } from '../../shared/quickStart.js'
import type { SettingsRepository } from '../store/settingsRepository.js'

const KEY = 'earn.lastModelChoice'

/** The model of the last Start earning, so the tray and start at login can earn with it after a restart. */
export class LastEarningModel {
  constructor(private readonly settings: SettingsRepository) {}

  get(): ModelChoice | null {
    return this.settings.get(KEY, modelChoiceSchema.nullable(), null)
  }

  set(choice: ModelChoice): void {
    this.settings.set(KEY, choice)
  }
}

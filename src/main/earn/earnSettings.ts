import { hostname } from 'node:os'
import { z } from 'zod'
import type { EarnSettings, MiningPolicySettings } from '../../shared/domain.js'
import { miningPolicySchema } from '../../shared/miningPolicySchema.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import { DEFAULT_POLICY } from './miningPolicy.js'

const SETTINGS_KEY = 'earn.settings'
const POLICY_KEY = 'earn.policy'

const settingsSchema = z.object({
  network: z.enum(['aipg', 'horde']),
  gridUrl: z.string(),
  workerName: z.string().min(1),
  slots: z.number().int().min(1).max(8).nullable(),
  maxLength: z.number().int().min(16),
  maxContextLength: z.number().int().min(256),
})

function defaultSettings(): EarnSettings {
  const host =
    hostname()
      .replace(/[^\w-]/g, '')
      .slice(0, 40) || 'rig'
  return { network: 'aipg', gridUrl: '', workerName: `GridForge-${host}`, slots: null, maxLength: 512, maxContextLength: 4096 }
}

/** The miner's settings and policies as last saved: read once, kept in memory, written through on each change. */
export class EarnSettingsStore {
  private settings: EarnSettings
  private policySettings: MiningPolicySettings

  /** `defaultPolicy`: the policies until the user saves their own (the local-use cooldown comes from the host options). */
  constructor(
    private readonly repo: SettingsRepository,
    defaultPolicy: MiningPolicySettings = DEFAULT_POLICY,
  ) {
    this.settings = repo.get(SETTINGS_KEY, settingsSchema, defaultSettings())
    this.policySettings = repo.get(POLICY_KEY, miningPolicySchema, defaultPolicy)
  }

  current(): EarnSettings {
    return this.settings
  }

  save(settings: EarnSettings): void {
    this.repo.set(SETTINGS_KEY, settings)
    this.settings = settings
  }

  policy(): MiningPolicySettings {
    return this.policySettings
  }

  savePolicy(policy: MiningPolicySettings): void {
    this.repo.set(POLICY_KEY, policy)
    this.policySettings = policy
  }
}

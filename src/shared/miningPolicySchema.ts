import { z } from 'zod'
import type { MiningPolicySettings, ThermalSettings } from './domain.js'

/** One schedule window; see `ScheduleWindow`. */
export const scheduleWindowSchema = z
  .strictObject({
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1, 'pick at least one day')
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'each day only once'),
    startHour: z.number().int().min(0).max(23),
    endHour: z.number().int().min(1).max(24),
  })
  .refine((window) => window.startHour !== window.endHour, 'a window must not start and end at the same hour')

/** The thermal guard until the user sets it: most GPUs throttle themselves in the low 80s to 90s °C. */
export const DEFAULT_THERMAL: ThermalSettings = { enabled: true, pauseAboveC: 90, resumeBelowC: 80 }

/** The thermal guard's limits: resuming needs a lower temperature than pausing, or it would flap. */
export const thermalSettingsSchema = z
  .strictObject({
    enabled: z.boolean(),
    pauseAboveC: z.number().int().min(40).max(110),
    resumeBelowC: z.number().int().min(30).max(105),
  })
  .refine((thermal) => thermal.resumeBelowC < thermal.pauseAboveC, 'the resume temperature must be below the pause temperature')

/** The mining policies as the user sets them in Settings; checked by the host on every change. */
export const miningPolicySchema = z
  .strictObject({
    idleMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    pauseOnBattery: z.boolean(),
    schedule: z.strictObject({ enabled: z.boolean(), windows: z.array(scheduleWindowSchema).max(14) }),
    localCooldownSeconds: z.number().min(0).max(3600),
    thermal: thermalSettingsSchema.optional(),
  })
  .refine(
    (policy) => !policy.schedule.enabled || policy.schedule.windows.length > 0,
    'add a window or turn the schedule off',
  ) satisfies z.ZodType<MiningPolicySettings>

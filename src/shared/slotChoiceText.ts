import type { SlotChoice } from './domain.js'

/** "2 (chosen for this PC)", "3 (your setting)": the Earn card's slots fact. */
export function slotChoiceText(choice: SlotChoice): string {
  return `${choice.slots} (${SOURCE_WORDS[choice.source]})`
}

/** "Slots: 2 (chosen for this PC: 1 → 9.8, 2 → 15.1, 4 → 15.9 tok/s)": `gridforge worker`'s line, with what was measured. */
export function slotChoiceLine(choice: SlotChoice): string {
  if (choice.source !== 'calibrated' || choice.measurements.length === 0) return `Slots: ${slotChoiceText(choice)}`
  const measured = choice.measurements.map((m) => `${m.slots} → ${m.tokensPerSecond.toFixed(1)}`).join(', ')
  return `Slots: ${choice.slots} (${SOURCE_WORDS.calibrated}: ${measured} tok/s)`
}

const SOURCE_WORDS: Record<SlotChoice['source'], string> = {
  setting: 'your setting',
  calibrated: 'chosen for this PC',
  unmeasured: 'not measured yet: a chat or request came first',
}

/** The slots the miner runs (or last ran) with; before the first Start, the setting, or one. */
export function slotsInUse(earn: { settings: { slots: number | null }; slots?: SlotChoice | null }): number {
  return earn.slots?.slots ?? earn.settings.slots ?? 1
}

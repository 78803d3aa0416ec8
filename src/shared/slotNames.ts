/**
 * The worker name each AIPG slot registers: one connection serves one job at a time, so parallel slots get distinct
 * names, as the reference worker does. A delegation names one of them, so it is here that the UI and the CLI learn
 * which slots it signs.
 */
export function slotWorkerNames(name: string, slots: number): string[] {
  return slots > 1 ? Array.from({ length: slots }, (_, slot) => `${name}-${slot + 1}`) : [name]
}

/**
 * Whether `candidate` is a name a rig called `name` registers with `slots` slots. Null slots: the count is chosen
 * at each Start (calibrated for the PC), so the bare name and every `name-N` may be this rig's.
 */
export function isSlotWorkerName(name: string, slots: number | null, candidate: string): boolean {
  if (slots !== null) return slotWorkerNames(name, slots).includes(candidate)
  return candidate === name || (candidate.startsWith(`${name}-`) && /^[1-9]\d*$/.test(candidate.slice(name.length + 1)))
}

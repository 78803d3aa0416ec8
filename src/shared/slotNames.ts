/**
 * The worker name each AIPG slot registers: one connection serves one job at a time, so parallel slots get distinct
 * names, as the reference worker does. A delegation names one of them, so it is here that the UI and the CLI learn
 * which slots it signs.
 */
export function slotWorkerNames(name: string, slots: number): string[] {
  return slots > 1 ? Array.from({ length: slots }, (_, slot) => `${name}-${slot + 1}`) : [name]
}

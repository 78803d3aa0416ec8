import type { AccountRig } from './domain.js'
import { isSlotWorkerName } from './slotNames.js'

/** What the grid says of a rig: taking jobs, gone, or set to maintenance by its owner. */
export type RigState = 'online' | 'offline' | 'maintenance'

/** One rig of the account as the fleet view and `gridforge status --fleet` show it. */
export interface FleetRig extends AccountRig {
  state: RigState
  /** This PC: the rig registered under this host's worker name (or one of its slots' names). */
  thisRig: boolean
}

/** Every rig of the account, this one first and offline ones next, with totals across them. */
export interface Fleet {
  rigs: FleetRig[]
  online: number
  offline: number
  /** Summed over the rigs the grid gave a figure for; null when it gave none. */
  rewards: number | null
  jobs: number | null
}

const ORDER: Record<RigState, number> = { offline: 0, maintenance: 1, online: 2 }

/** The account's rigs, marked and ordered: this rig first, then the ones that need a look (offline, maintenance). */
export function fleetOf(rigs: readonly AccountRig[], self: { workerName: string; slots: number | null }): Fleet {
  const mine = (name: string) => self.workerName !== '' && isSlotWorkerName(self.workerName, self.slots, name)
  const marked = rigs.map((rig): FleetRig => ({ ...rig, state: rigState(rig), thisRig: mine(rig.name) }))
  marked.sort((a, b) => Number(b.thisRig) - Number(a.thisRig) || ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name))
  return {
    rigs: marked,
    online: marked.filter((rig) => rig.online).length,
    offline: marked.filter((rig) => !rig.online).length,
    rewards: sumKnown(marked.map((rig) => rig.rewards)),
    jobs: sumKnown(marked.map((rig) => rig.jobs)),
  }
}

function rigState(rig: AccountRig): RigState {
  if (!rig.online) return 'offline'
  return rig.maintenance ? 'maintenance' : 'online'
}

function sumKnown(values: Array<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null)
  return known.length ? known.reduce((sum, value) => sum + value, 0) : null
}

/** "5 min ago", "3 h ago", "2 d ago": how long since the grid last heard from a rig. */
export function seenAgo(lastSeen: number | null, now: number): string {
  if (lastSeen === null) return 'unknown'
  const minutes = Math.max(0, Math.round((now - lastSeen) / 60_000))
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`
}

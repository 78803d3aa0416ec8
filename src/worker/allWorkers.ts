import type { Worker } from './jobLoop.js'

/**
 * Several workers (one per bridged model, each with its own slots and grid name) as one: runs them all,
 * stops them all, ends when all have; the first fatal exit is the run's. `gridforge worker --backends-file`
 * and the app's miner both serve a server list through it.
 */
export function allOf(workers: Worker[]): Worker {
  if (workers.length === 1) return workers[0]!
  return {
    async run() {
      const exits = await Promise.all(workers.map((worker) => worker.run()))
      return exits.find((exit) => exit.reason === 'fatal') ?? exits[0]!
    },
    stop: () => workers.forEach((worker) => worker.stop()),
    subscribe(listener) {
      const offs = workers.map((worker) => worker.subscribe(listener))
      return () => offs.forEach((off) => off())
    },
  }
}

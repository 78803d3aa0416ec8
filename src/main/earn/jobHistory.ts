import type { EarnHistory, HistoryRange, JobLogEntry } from '../../shared/domain.js'
import type { JobsRepository } from '../store/jobsRepository.js'
import { buildHistory, historyStart } from './earnHistory.js'

/** What the miner did, from the local ledger: the job log and rewards over a range. */
export class JobHistory {
  constructor(
    private readonly ledger: JobsRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** The latest jobs, newest first. */
  jobs(limit: number): JobLogEntry[] {
    return this.ledger.list(limit).map(({ startedAt: _startedAt, ...entry }) => entry)
  }

  /** Rewards and jobs per hour or day over a range. */
  history(range: HistoryRange): EarnHistory {
    const now = this.now()
    return buildHistory(range, now, this.ledger.hourly(historyStart(range, now)))
  }
}

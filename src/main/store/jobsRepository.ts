import type Database from 'better-sqlite3'
import type { JobLedger, JobRecord } from '../../worker/ports.js'
import type { GridNetwork } from '../../shared/domain.js'
import { withStorage } from './storageErrors.js'
import { inTurn } from './writeTurns.js'

interface JobRow {
  network: JobRecord['network']
  job_id: string
  model: string
  prompt_tokens: number
  completion_tokens: number
  duration_ms: number
  tokens_per_second: number
  reward: number | null
  state: JobRecord['state']
  error: string | null
  started_at: number
  finished_at: number
}

/** Totals over a set of jobs. */
export interface JobTotals {
  jobs: number
  completionTokens: number
  rewards: number
}

/** Jobs, tokens and rewards of one clock hour (`hour` = ms since the epoch / 3 600 000, rounded down). */
export interface HourTotals {
  hour: number
  network: GridNetwork
  jobs: number
  tokens: number
  rewards: number
}

/** The job ledger in SQLite. A second record of the same job (its reward arriving) updates the row. */
export class JobsRepository implements JobLedger {
  private readonly upsert
  private readonly recent
  private readonly totalsSince
  private readonly hourlySince

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(`
      INSERT INTO jobs (network, job_id, model, prompt_tokens, completion_tokens, duration_ms, tokens_per_second,
        reward, state, error, started_at, finished_at)
      VALUES (@network, @jobId, @model, @promptTokens, @completionTokens, @durationMs, @tokensPerSecond,
        @reward, @state, @error, @startedAt, @finishedAt)
      ON CONFLICT (network, job_id) DO UPDATE SET
        reward = COALESCE(excluded.reward, jobs.reward), state = excluded.state, error = excluded.error,
        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
        duration_ms = excluded.duration_ms, tokens_per_second = excluded.tokens_per_second,
        finished_at = excluded.finished_at`)
    this.recent = db.prepare<[number], JobRow>('SELECT * FROM jobs ORDER BY finished_at DESC, id DESC LIMIT ?')
    this.totalsSince = db.prepare<[number], { jobs: number; tokens: number | null; rewards: number | null }>(
      `SELECT COUNT(*) AS jobs, SUM(completion_tokens) AS tokens, SUM(reward) AS rewards
       FROM jobs WHERE finished_at >= ? AND state IN ('ok', 'cancelled')`,
    )

    // A range scan on jobs_by_time (migration 002); 30 days are at most 720 rows.
    // Per network: den and kudos are different units and are never summed together.
    this.hourlySince = db.prepare<
      [number],
      { hour: number; network: GridNetwork; jobs: number; tokens: number | null; rewards: number | null }
    >(
      `SELECT finished_at / 3600000 AS hour, network, COUNT(*) AS jobs, SUM(completion_tokens) AS tokens, SUM(reward) AS rewards
       FROM jobs WHERE finished_at >= ? AND state IN ('ok', 'cancelled') GROUP BY hour, network ORDER BY hour`,
    )
  }

  record(job: JobRecord): void {
    withStorage(() => inTurn(this.db, () => this.upsert.run(job)))
  }

  list(limit = 100): JobRecord[] {
    return this.recent.all(limit).map((row) => ({
      network: row.network,
      jobId: row.job_id,
      model: row.model,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      durationMs: row.duration_ms,
      tokensPerSecond: row.tokens_per_second,
      reward: row.reward,
      state: row.state,
      error: row.error,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    }))
  }

  totals(since = 0): JobTotals {
    const row = this.totalsSince.get(since)
    return { jobs: row?.jobs ?? 0, completionTokens: row?.tokens ?? 0, rewards: row?.rewards ?? 0 }
  }

  /** Completed jobs per clock hour since `since`, oldest first; hours without jobs are left out. */
  hourly(since: number): HourTotals[] {
    return this.hourlySince
      .all(since)
      .map((row) => ({ hour: row.hour, network: row.network, jobs: row.jobs, tokens: row.tokens ?? 0, rewards: row.rewards ?? 0 }))
  }
}

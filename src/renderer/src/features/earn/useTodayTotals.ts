import { useEffect, useState } from 'react'
import type { GridNetwork } from '../../../../shared/domain'
import { fetchEarnHistory } from '../../api/appState'
import { startOfToday, totalsSince } from './earnHeadline'

/** Jobs and rewards per network since midnight, from the local ledger; read again whenever `version` changes (a job done or rewarded). */
export function useTodayTotals(version: string): { jobs: number; rewards: Record<GridNetwork, number> } | null {
  const [totals, setTotals] = useState<{ jobs: number; rewards: Record<GridNetwork, number> } | null>(null)
  useEffect(() => {
    let current = true
    void fetchEarnHistory('24h').then((history) => {
      if (current && history) setTotals(totalsSince(history, startOfToday(Date.now())))
    })
    return () => {
      current = false
    }
  }, [version])
  return totals
}

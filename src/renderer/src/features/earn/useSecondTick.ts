import { useEffect, useState } from 'react'

/** Re-renders once a second while `active`: uptime and tokens/s move between the host's pushes, never per token. */
export function useSecondTick(active: boolean): void {
  const [, setTick] = useState(0)
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setTick((tick) => tick + 1), 1000)
    return () => clearInterval(timer)
  }, [active])
}

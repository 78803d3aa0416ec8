import { useEffect } from 'react'
import { conversationsStore, engineStore, localModelsStore } from '../../api/appState'
import { useStore } from '../../api/store'
import { welcomeDismissedStore, welcomeFlowStore, welcomeOpenStore } from './welcomeState'

/** True while the Chat view shows the welcome instead of the chat. */
export function useWelcome(): boolean {
  const engine = useStore(engineStore)
  const local = useStore(localModelsStore)
  const conversations = useStore(conversationsStore)
  const dismissed = useStore(welcomeDismissedStore)
  const open = useStore(welcomeOpenStore)
  const flow = useStore(welcomeFlowStore)
  // The engine snapshot arrives with the first models and conversations: only then is "first run" known.
  const firstRun = engine !== null && !engine.model && local.length === 0 && conversations.length === 0
  useEffect(() => {
    if (open === null && engine !== null) welcomeOpenStore.set(firstRun)
  }, [open, engine, firstRun])
  if (dismissed) return false
  return flow.phase !== 'choosing' || (open ?? firstRun)
}

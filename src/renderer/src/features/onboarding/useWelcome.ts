import { useEffect } from 'react'
import { conversationsStore, engineStore, firstReadsStore, localModelsStore } from '../../api/appState'
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
  const read = useStore(firstReadsStore)
  // The engine snapshot can land before the model files and conversations: "first run" is known only once all three are.
  const firstRun = read && engine !== null && !engine.model && local.length === 0 && conversations.length === 0
  useEffect(() => {
    if (open === null && read && engine !== null) welcomeOpenStore.set(firstRun)
  }, [open, read, engine, firstRun])
  if (dismissed) return false
  return flow.phase !== 'choosing' || (open ?? firstRun)
}

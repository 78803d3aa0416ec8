import { connectionStore } from './api/bridge'
import { useStore } from './api/store'
import { ChatView } from './features/chat/ChatView'

/** The window: one view for now (Chat); Models, Earn and Settings join it in later issues. */
export function App() {
  const connection = useStore(connectionStore)
  if (connection === 'unauthorized') {
    return (
      <main className="blocked" role="alert">
        <h1>GridForge</h1>
        <p>
          This page needs the access link that <code>gridforge serve</code> printed (it ends in
          <code>#token=…</code>). Open that link instead.
        </p>
      </main>
    )
  }
  return (
    <div className="app">
      {connection !== 'open' && (
        <div className="banner" role="status">
          {connection === 'connecting' ? 'Connecting to GridForge…' : 'Connection lost; reconnecting…'}
        </div>
      )}
      <ChatView />
    </div>
  )
}

import { connectionStore } from './api/bridge'
import { VIEWS, goTo, viewStore, type View } from './api/navigation'
import { useStore } from './api/store'
import { ConnectionBanner } from './components/ConnectionBanner'
import { StorageBanner } from './components/StorageBanner'
import { UpdateBanner } from './components/UpdateBanner'
import { ChatView } from './features/chat/ChatView'
import { EarnView } from './features/earn/EarnView'
import { ModelsView } from './features/models/ModelsView'
import { SettingsView } from './features/settings/SettingsView'

/** The window: Chat, Models, Earn and Settings. */
export function App() {
  const connection = useStore(connectionStore)
  const view = useStore(viewStore)
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
      <ConnectionBanner connection={connection} />
      <UpdateBanner />
      <StorageBanner />
      <nav className="views" aria-label="Views">
        {(Object.keys(VIEWS) as View[]).map((key) => (
          <button key={key} type="button" aria-current={view === key ? 'page' : undefined} onClick={() => goTo(key)}>
            {VIEWS[key]}
          </button>
        ))}
      </nav>
      {view === 'chat' && <ChatView />}
      {view === 'models' && <ModelsView />}
      {view === 'earn' && <EarnView />}
      {view === 'settings' && <SettingsView />}
    </div>
  )
}

import { useEffect, type ComponentType } from 'react'
import { connectionStore } from './api/bridge'
import { VIEWS, goTo, viewStore, type View } from './api/navigation'
import { useStore } from './api/store'
import { ConnectionBanner } from './components/ConnectionBanner'
import { StorageBanner } from './components/StorageBanner'
import { UpdateBanner } from './components/UpdateBanner'
import { ChatIcon, EarnIcon, ModelsIcon, SettingsIcon } from './components/icons'
import { ChatView } from './features/chat/ChatView'
import { EarnPill } from './features/earn/EarnPill'
import { EarnView } from './features/earn/EarnView'
import { ModelsView } from './features/models/ModelsView'
import { SettingsView } from './features/settings/SettingsView'
import { FOCUS_IDS } from './shell/focusTarget'
import { handleShortcut } from './shell/shortcuts'

const VIEW_ICONS: Record<View, ComponentType<{ size?: number }>> = {
  chat: ChatIcon,
  models: ModelsIcon,
  earn: EarnIcon,
  settings: SettingsIcon,
}

/** The window: a sidebar of views (Chat, Models, Earn, Settings) beside the view's own main area. */
export function App() {
  const connection = useStore(connectionStore)
  const view = useStore(viewStore)
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.defaultPrevented && handleShortcut(event)) event.preventDefault()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])
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
      <a
        className="skip-link"
        href={`#${FOCUS_IDS.main}`}
        // The address's fragment holds the access token: move focus without touching it.
        onClick={(event) => {
          event.preventDefault()
          document.getElementById(FOCUS_IDS.main)?.focus()
        }}
      >
        Skip to main content
      </a>
      <ConnectionBanner connection={connection} />
      <UpdateBanner />
      <StorageBanner />
      <div className="shell">
        <nav className="views" aria-label="Views">
          <span className="brand" aria-hidden="true">
            GridForge
          </span>
          {(Object.keys(VIEWS) as View[]).map((key) => {
            const ViewIcon = VIEW_ICONS[key]
            return (
              <button key={key} type="button" aria-current={view === key ? 'page' : undefined} onClick={() => goTo(key)}>
                <ViewIcon size={18} />
                <span>{VIEWS[key]}</span>
              </button>
            )
          })}
          <EarnPill />
        </nav>
        <main id={FOCUS_IDS.main} className={`view view-${view}`} tabIndex={-1}>
          <h1 className="visually-hidden">{`GridForge: ${VIEWS[view]}`}</h1>
          {view === 'chat' && <ChatView />}
          {view === 'models' && <ModelsView />}
          {view === 'earn' && <EarnView />}
          {view === 'settings' && <SettingsView />}
        </main>
      </div>
    </div>
  )
}

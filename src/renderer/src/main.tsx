import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { startAppState } from './api/appState'
import { startDesktopState } from './api/desktopState'
import './styles.css'

startAppState()
startDesktopState()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

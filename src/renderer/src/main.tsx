import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { startAppState } from './api/appState'
import { startDesktopState } from './api/desktopState'
import { startModelsState } from './api/modelsState'
import './styles.css'

startAppState()
startDesktopState()
startModelsState()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

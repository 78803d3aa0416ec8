import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { startAppState } from './api/appState'
import { startDesktopState } from './api/desktopState'
import { startAlertsState } from './api/alertsState'
import { startModelsState } from './api/modelsState'
import { startOnboardingState } from './api/onboardingState'
import './styles.css'

startAppState()
startDesktopState()
startAlertsState()
startModelsState()
startOnboardingState()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

import { utilityProcess } from 'electron'
import type { EngineLauncher, EngineReply } from '../engine/protocol.js'
import { followEngineProcess } from './engineProcessEvents.js'

/**
 * Starts the engine as an Electron utility process (the desktop counterpart of `forkLauncher`), with
 * UV_THREADPOOL_SIZE=1 for the reason given there. Its output and fatal errors go to `onOutput`.
 */
export function utilityLauncher(entry: string, onOutput: (line: string) => void, env: NodeJS.ProcessEnv = process.env): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'GridForge engine',
      env: { ...env, UV_THREADPOOL_SIZE: '1' },
      stdio: 'pipe',
    })
    followEngineProcess(child, onOutput)
    return {
      get pid() {
        return child.pid
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: EngineReply) => listener(message)),
      onExit: (listener) => child.once('exit', (code) => listener(`code ${code}`)),
      kill: () => {
        child.kill()
      },
    }
  }
}

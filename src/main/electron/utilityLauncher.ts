import { utilityProcess } from 'electron'
import type { EngineLauncher, EngineReply } from '../engine/protocol.js'
import { followEngineProcess } from './engineProcessEvents.js'
import { ENGINE_ENV, ENGINE_EXEC_ARGV } from '../engine/engineProcessOptions.js'

/**
 * Starts the engine as an Electron utility process (the desktop counterpart of `forkLauncher`), with
 * the environment and flags `ENGINE_ENV` explains. Its output and fatal errors go to `onOutput`.
 */
export function utilityLauncher(entry: string, onOutput: (line: string) => void, env: NodeJS.ProcessEnv = process.env): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'GridForge engine',
      env: { ...env, ...ENGINE_ENV },
      execArgv: [...ENGINE_EXEC_ARGV],
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

import { fork } from 'node:child_process'
import type { EngineLauncher, EngineReply } from './protocol.js'
import { ENGINE_ENV, ENGINE_EXEC_ARGV } from './engineProcessOptions.js'

/** Starts the engine as a plain Node child process (headless host, CLI, tests), as `ENGINE_ENV` says. */
export function forkLauncher(entry: string, env: NodeJS.ProcessEnv = process.env): EngineLauncher {
  return () => {
    const child = fork(entry, [], {
      env: { ...env, ...ENGINE_ENV },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Never inherit the parent's loader or inspector flags (tsx, --inspect): the engine runs plain built JS.
      execArgv: [...ENGINE_EXEC_ARGV],
    })
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as EngineReply)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(signal ? `signal ${signal}` : `code ${code}`)),
      kill: () => child.kill('SIGKILL'),
    }
  }
}

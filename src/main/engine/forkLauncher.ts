import { fork } from 'node:child_process'
import type { EngineLauncher, EngineReply } from './protocol.js'

/**
 * Starts the engine as a plain Node child process (headless host, CLI, tests). UV_THREADPOOL_SIZE=1
 * must be in place before the process starts: node-llama-cpp decodes on the libuv pool, and a pool of
 * four puts ggml's per-token helper thread on a busy core (34 → 49 tok/s measured on 2 cores).
 */
export function forkLauncher(entry: string, env: NodeJS.ProcessEnv = process.env): EngineLauncher {
  return () => {
    const child = fork(entry, [], {
      env: { ...env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Never inherit the parent's loader or inspector flags (tsx, --inspect): the engine runs plain built JS.
      execArgv: [],
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

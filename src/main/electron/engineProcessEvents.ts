import { lineSplitter } from './logging.js'

/** The parts of Electron's UtilityProcess whose events the log follows. */
export interface EngineProcessEvents {
  stdout: { on(event: 'data', listener: (chunk: Buffer | string) => void): unknown } | null
  stderr: { on(event: 'data', listener: (chunk: Buffer | string) => void): unknown } | null
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown
}

/**
 * Sends the engine process's output to the log line by line (llama.cpp's messages then land in the
 * app's log rather than a terminal nobody sees), and listens for its 'error': a fatal V8 error in the
 * engine is emitted there before 'exit' (which the supervisor handles), and an emitter with no 'error'
 * listener would throw it in the main process instead.
 */
export function followEngineProcess(child: EngineProcessEvents, onOutput: (line: string) => void): void {
  child.stdout?.on(
    'data',
    lineSplitter((line) => onOutput(`engine: ${line}`)),
  )
  child.stderr?.on(
    'data',
    lineSplitter((line) => onOutput(`engine: ${line}`)),
  )
  child.on('error', (type, location) => onOutput(`engine process error: ${type} at ${location}`))
}

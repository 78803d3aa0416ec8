import { join } from 'node:path'
import type { SecretRedactor } from './secretRedactor.js'

/** Rotate at about 5 MB; electron-log keeps one archive (`main.old.log`) beside the live file. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024
/** The live log file's name inside the logs folder. */
export const LOG_FILE_NAME = 'main.log'

/** The part of electron-log's main logger configured here (structural, so tests need no Electron). */
export interface ConfigurableLogger<M extends { data: unknown[] } = { data: unknown[] }> {
  transports: {
    file: { resolvePathFn: (...args: never[]) => string; maxSize: number; level: string | false }
    console: { level: string | false }
  }
  hooks: Array<(message: M) => M | false>
}

/**
 * Points electron-log at `logsDir` (in the data folder, so `--data-dir` runs keep their own logs),
 * rotates at `LOG_MAX_BYTES`, and runs every message through the redactor before any transport sees it.
 */
export function configureLogging<M extends { data: unknown[] }>(
  logger: ConfigurableLogger<M>,
  logsDir: string,
  redactor: SecretRedactor,
): string {
  const file = join(logsDir, LOG_FILE_NAME)
  logger.transports.file.resolvePathFn = () => file
  logger.transports.file.maxSize = LOG_MAX_BYTES
  logger.transports.file.level = 'info'
  logger.transports.console.level = 'info'
  logger.hooks.push((message) => ({ ...message, data: message.data.map((value) => redactor.redactValue(value)) }))
  return file
}

/**
 * Splits a child process's output into lines for the log, keeping a partial last line until the rest
 * arrives. Returns the function to feed chunks to.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let pending = ''
  return (chunk) => {
    pending += chunk.toString()
    const lines = pending.split(/\r?\n/)
    pending = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) onLine(line)
    if (pending.length > 64 * 1024) {
      onLine(pending)
      pending = ''
    }
  }
}

/** Every error code that may cross the host boundary. The UI maps each to a plain sentence. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'NO_MODEL'
  | 'MODEL_INVALID'
  | 'MODEL_TOO_LARGE'
  | 'MODEL_LOAD_FAILED'
  | 'ENGINE_CRASHED'
  | 'BUSY'
  | 'KEY_REFUSED'
  | 'GRID_UNREACHABLE'
  | 'STORAGE_FAILED'
  | 'NOT_ENOUGH_SPACE'
  | 'DESKTOP_ONLY'
  | 'INTERNAL'

/** The error half of a result: a code for programs and one clear sentence for people. */
export interface AppErrorShape {
  code: ErrorCode
  message: string
}

/** What every call returns across IPC and the WebSocket: errors are values, never thrown across. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape }

/** Thrown inside the host and the engine; turned into `{ ok: false }` at the boundary. */
export class AppError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'AppError'
    this.code = code
  }
}

/** Builds a success result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/** Builds a failure result. */
export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
})

/**
 * Turns anything thrown into an error shape. Unknown errors keep a generic message so that internal
 * details (paths, stack traces) do not leak to the UI.
 */
export function toErrorShape(error: unknown): AppErrorShape {
  if (error instanceof AppError) return { code: error.code, message: error.message }
  return { code: 'INTERNAL', message: 'Something went wrong inside GridForge; see the log for details.' }
}

/** Marks a switch as exhaustive: adding a union member without handling it fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`)
}

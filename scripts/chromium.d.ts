/** The Chromium executable to use for browser tests and benchmarks, or null. */
export function findChromium(env?: NodeJS.ProcessEnv): string | null
/** The one sentence shown when no Chromium can be found or installed. */
export const chromiumHint: string

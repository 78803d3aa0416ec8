/** Where scripts/prepare-native.js puts the Electron build of better-sqlite3 for one target. */
export function nativeDir(root: string, platform: string, arch: string): string
/** Before packaging: what is wrong with the Electron addon for this target, one sentence each. */
export function nativeAddonProblems(input: { root: string; platform: string; arch: string; electronVersion: string }): string[]
/** After packaging: what is wrong with the app's resources folder for this target, one sentence each. */
export function packagedAppProblems(input: { resourcesDir: string; platform: string; arch: string }): string[]

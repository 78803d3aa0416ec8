/** The file name better-sqlite3 builds and the packaged app loads. */
export const ADDON: string
/** `<platform>-<arch>` a native library's header says it was built for (`linux-arm64`, `win32-x64`), or null. */
export function binaryArch(bytes: Buffer): string | null

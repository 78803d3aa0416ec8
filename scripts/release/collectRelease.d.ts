/** The update feeds a release must carry, one per updating system. */
export const EXPECTED_FEEDS: string[]
/** Copies the runners' uploads into one release folder and returns its file names; throws a sentence otherwise. */
export function collectRelease(artifactsDir: string, releaseDir: string): string[]

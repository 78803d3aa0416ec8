export interface UpdateFeed {
  version: string
  files: Array<{ url: string; sha512: string; size: number }>
  path: string
  sha512: string
  releaseDate: string
}
/** One latest-mac.yml listing every input's files; throws a sentence for feeds that cannot be one release. */
export function mergeMacFeeds(inputs: Array<{ name: string; text: string }>): UpdateFeed

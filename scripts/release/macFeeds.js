// Each macOS architecture is built on its own runner, and each writes a latest-mac.yml listing only its
// own zip; electron-updater reads one latest-mac.yml per release and picks the file for its CPU from its
// list. This merges them, so Intel and Apple-silicon Macs both find their update.
// The command line is scripts/release/mergeMacFeeds.js.
import { load } from 'js-yaml'
import { z } from 'zod'

const UpdateFile = z.looseObject({ url: z.string().min(1), sha512: z.string().min(1), size: z.number().int().positive() })
const Feed = z.looseObject({
  version: z.string().min(1),
  files: z.array(UpdateFile).min(1),
  path: z.string().min(1),
  sha512: z.string().min(1),
  releaseDate: z.string().min(1),
})

/**
 * One feed with every input's files. The legacy top-level `path`/`sha512` (read by updaters older than
 * arm64 support, which all run on Intel) point at the x64 zip when there is one.
 * @param {Array<{ name: string, text: string }>} inputs
 */
export function mergeMacFeeds(inputs) {
  const feeds = inputs.map(({ name, text }) => {
    const parsed = Feed.safeParse(load(text))
    if (!parsed.success) throw new Error(`${name} is not an electron-builder update feed (${parsed.error.issues[0]?.message}).`)
    return parsed.data
  })
  const versions = new Set(feeds.map((feed) => feed.version))
  if (versions.size !== 1)
    throw new Error(`The macOS feeds are for different versions (${[...versions].join(', ')}), so they cannot be one release.`)
  const files = []
  for (const file of feeds.flatMap((feed) => feed.files)) {
    const same = files.find((known) => known.url === file.url)
    if (same && same.sha512 !== file.sha512) throw new Error(`Two different builds are both named ${file.url}.`)
    if (!same) files.push(file)
  }
  const legacy = files.find((file) => !/arm64/.test(file.url) && file.url.endsWith('.zip')) ?? files[0]
  const releaseDate = feeds
    .map((feed) => feed.releaseDate)
    .sort()
    .at(-1)
  return { ...feeds[0], files, path: legacy.url, sha512: legacy.sha512, releaseDate }
}

/**
 * A process that imports one long conversation into the database at argv[2] and prints `stored N` as it
 * goes, for a test to kill with SIGKILL halfway (tests/integration/chatImportLarge.test.ts). With argv[4]
 * `thread`, the import runs on its own thread (as the host does); otherwise in this one.
 */
import { storeImport } from '../../src/main/chat/transfer/importChats.js'
import { importOnThread } from '../../src/main/chat/transfer/importOnThread.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { longConversation } from './longConversation.js'

const [file, count, where] = process.argv.slice(2)
const db = openDatabase(file!)
const onProgress = (stored: number) => process.stdout.write(`stored ${stored}\n`)
if (where === 'thread') {
  const text = JSON.stringify({ format: 'gridforge-chat', version: 2, exportedAt: 0, conversations: [longConversation(Number(count))] })
  if ((await importOnThread(text, { db }, { sliceMessages: 200, onProgress })) === null) throw new Error('the import thread did not start')
} else {
  await storeImport(new ChatRepository(db), [longConversation(Number(count))], { sliceMessages: 200, onProgress })
}
process.stdout.write('done\n')

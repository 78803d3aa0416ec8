/**
 * A process that imports one long conversation into the database at argv[2] and prints `stored N` after
 * each slice, for a test to kill with SIGKILL halfway (tests/integration/chatImportLarge.test.ts).
 */
import { storeImport } from '../../src/main/chat/transfer/importChats.js'
import { ChatRepository } from '../../src/main/store/chatRepository.js'
import { openDatabase } from '../../src/main/store/database.js'
import { longConversation } from './longConversation.js'

const [file, count] = process.argv.slice(2)
const repo = new ChatRepository(openDatabase(file!))
await storeImport(repo, [longConversation(Number(count))], {
  sliceMessages: 200,
  onProgress: (stored) => process.stdout.write(`stored ${stored}\n`),
})
process.stdout.write('done\n')

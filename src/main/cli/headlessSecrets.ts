import { secretName } from '../earn/gridCredentials.js'
import { dataPaths } from '../host/dataDir.js'
import { WORKER_KEY_SECRET } from '../identity/workerKey.js'
import { TOKEN_SECRET } from '../localApi/localApiService.js'
import { HF_TOKEN } from '../models/modelsService.js'
import { HeadlessSecretStore, type SealedSecretWords } from '../store/sealedSecrets.js'
import { FileSecretStore } from '../store/secretStore.js'

const GRID_KEY_REMEDY = (grid: string) =>
  `enter the ${grid} API key again in the Earn view's miner settings (it is then kept in a 0600 file the desktop app reads too)`

const WORDS: Record<string, SealedSecretWords> = {
  [secretName('aipg')]: { label: 'AIPG API key', remedy: GRID_KEY_REMEDY('AIPG') },
  [secretName('horde')]: { label: 'AI Horde API key', remedy: GRID_KEY_REMEDY('AI Horde') },
  [HF_TOKEN]: { label: 'Hugging Face token', remedy: 'enter the token again in the Models view' },
  [TOKEN_SECRET]: {
    label: 'local API token',
    remedy: 'the local API makes a new token when it starts here; give that one to your API clients',
  },
  [WORKER_KEY_SECRET]: {
    label: 'worker key',
    remedy: 'manage the worker identity from the desktop app on this account (results go unsigned here)',
  },
}

/**
 * The secrets of a CLI command: the data folder's 0600 files, with the desktop app's encrypted ones
 * refused in one sentence on stderr instead of being used as ciphertext.
 */
export function headlessSecrets(dataDir: string, shell: string, tell: (line: string) => void = stderrLine): HeadlessSecretStore {
  return new HeadlessSecretStore(new FileSecretStore(dataPaths(dataDir).secrets), {
    shell,
    words: (name) => WORDS[name] ?? { label: `secret "${name}"`, remedy: 'enter it again' },
    irreplaceable: new Set([WORKER_KEY_SECRET]),
    tell,
  })
}

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`)
}

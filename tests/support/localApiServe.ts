import { join } from 'node:path'
import { freePort } from './freePort.js'
import { startServe, type ServeProcess } from './serveProcess.js'
import { TestClient } from './wsClient.js'

/** Another GridForge standing in for the user's own inference server: its local API and that API's key file. */
export interface LocalApiServe {
  serve: ServeProcess
  /** The OpenAI API root, `http://127.0.0.1:<port>/v1`. */
  apiUrl: string
  /** The file holding the local API's bearer token, as `--backend-key-file` takes it. */
  tokenFile: string
}

/** Starts `gridforge serve --api` on `dataDir` in a process of its own and loads `model` there. */
export async function startLocalApiServe(dataDir: string, model: string): Promise<LocalApiServe> {
  const apiPort = await freePort()
  const serve = await startServe(dataDir, undefined, 0, {}, ['--api', '--api-port', String(apiPort)])
  await serve.printed('Local API')
  const client = await TestClient.connect(serve.url, serve.token)
  await client.value('engine.load', { path: model })
  client.close()
  return { serve, apiUrl: `http://127.0.0.1:${apiPort}/v1`, tokenFile: join(dataDir, 'secrets', 'local-api-token.secret') }
}

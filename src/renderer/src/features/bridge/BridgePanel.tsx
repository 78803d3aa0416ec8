import { useEffect, useRef, useState, type RefObject } from 'react'
import type { BridgeMode, BridgeServer, BridgeServersView, FoundServer } from '../../../../shared/bridge'
import { errorStore } from '../../api/appState'
import {
  bridgeErrorStore,
  bridgeServersStore,
  findBridgeServers,
  foundServersStore,
  saveBridgeServers,
  startBridgeState,
  testBridgeServer,
} from '../../api/bridgeState'
import { useStore } from '../../api/store'
import { SaveFeedback } from '../../components/SaveFeedback'
import { useSaveFeedback, type SaveFeedbackState } from '../../components/useSaveFeedback'
import { FoundServers } from './FoundServers'
import { ServerCard, type ServerTest } from './ServerCard'
import './bridgePanel.css'
import { draftProblem, draftsOf, keptDrafts, keysOf, newDraft, savedWords, serversOf, type ServerDraft } from './serverDrafts'

/**
 * "Where the tokens come from": GridForge's own model, or servers the user already runs (bridge mode), all
 * of which the miner runs on one job loop. Mounted in the Earn view and in Settings; both show the same list.
 */
export function BridgePanel({ disabled = false }: { disabled?: boolean }) {
  useEffect(() => startBridgeState(), [])
  const list = useStore(bridgeServersStore)
  const feedback = useSaveFeedback()
  const [tests, setTests] = useState<Record<string, ServerTest[]>>({})
  // Set while a removal saves: the other cards as they were being typed, which the cards the saved list
  // remounts keep, with the cursor on Add server.
  const afterRemove = useRef<ServerDraft[] | null>(null)
  if (!list) return null
  // A saved change (here, in the other view, or by another window) starts the cards again from the host's list;
  // a status change alone keeps what is being typed.
  const savedShape = JSON.stringify([list.mode, list.servers.map(({ status: _status, names: _names, ...server }) => server)])
  return (
    <BridgeForm
      key={savedShape}
      list={list}
      disabled={disabled}
      feedback={feedback}
      tests={tests}
      onTested={(id, results) => setTests((old) => ({ ...old, [id]: results }))}
      afterRemove={afterRemove}
    />
  )
}

function BridgeForm({
  list,
  disabled,
  feedback,
  tests,
  onTested,
  afterRemove,
}: {
  list: BridgeServersView
  disabled: boolean
  feedback: SaveFeedbackState
  tests: Record<string, ServerTest[]>
  onTested: (id: string, results: ServerTest[]) => void
  afterRemove: RefObject<ServerDraft[] | null>
}) {
  const error = useStore(bridgeErrorStore)
  const found = useStore(foundServersStore)
  const [server, setServer] = useState(list.mode === 'server')
  const [drafts, setDrafts] = useState<ServerDraft[]>(() => {
    if (afterRemove.current) return keptDrafts(afterRemove.current, list.servers)
    return list.servers.length ? draftsOf(list.servers) : [newDraft([])]
  })
  const [focusId, setFocusId] = useState<string | null>(null)
  const [finding, setFinding] = useState(false)
  const addButton = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (!afterRemove.current) return
    afterRemove.current = null
    addButton.current?.focus()
  }, [afterRemove])

  const saved: BridgeServer[] = list.servers.map(({ id, kind, url, models }) => ({ id, kind, url, models }))
  const save = async (mode: BridgeMode, servers: BridgeServer[], keys: Record<string, string | null>, words: string) => {
    let ok = false
    await feedback.run(async () => {
      ok = (await saveBridgeServers({ list: { mode, servers }, keys })) !== null
      return ok ? words : false
    })
    return ok
  }
  const saveCards = () => {
    const problem = draftProblem(drafts)
    if (problem) {
      void feedback.run(async () => {
        errorStore.set({ code: 'BAD_REQUEST', message: problem })
        return false
      })
      return
    }
    const servers = serversOf(drafts)
    void save('server', servers, keysOf(drafts), savedWords(servers))
  }
  const add = (candidate?: FoundServer) => {
    const draft = newDraft(drafts, candidate)
    setDrafts([...drafts, draft])
    setFocusId(draft.id)
  }
  const remove = (draft: ServerDraft, index: number) => {
    if (!draft.saved) {
      setDrafts(drafts.filter((old) => old.id !== draft.id))
      addButton.current?.focus()
      return
    }
    const rest = saved.filter((old) => old.id !== draft.id)
    afterRemove.current = drafts.filter((old) => old.id !== draft.id)
    void save(rest.length ? list.mode : 'embedded', rest, {}, `Removed Server ${index + 1} (${draft.url}).`).then(
      (ok) => ok || (afterRemove.current = null),
    )
  }
  const test = async (draft: ServerDraft) => {
    const named = draft.models.map((model) => model.name.trim()).filter(Boolean)
    const typedKey = draft.apiKey.trim() ? { apiKey: draft.apiKey.trim() } : draft.forgetKey ? { apiKey: null } : {}
    const results: ServerTest[] = []
    for (const model of named.length ? named : ['']) {
      const request = { kind: draft.kind, url: draft.url, model, ...(draft.saved ? { id: draft.id } : { apiKey: null }), ...typedKey }
      results.push({ model, result: await testBridgeServer(request) })
    }
    onTested(draft.id, results)
  }

  return (
    <div className="settings-card" aria-label="Where the tokens come from">
      <h2>Where the tokens come from</h2>
      <p className="muted">
        Earn with the model GridForge loads, or through inference servers you already run on this PC or your network; the miner runs every
        server of the list at once. Each server&apos;s key stays on this PC, kept like your grid keys.
      </p>
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <fieldset disabled={disabled} className="bridge-choice">
        <label className="toggle">
          <input
            type="radio"
            name="bridge-mode"
            checked={!server}
            onChange={() => {
              setServer(false)
              if (list.mode === 'server') void save('embedded', saved, {}, 'Saved: GridForge’s own model earns.')
            }}
          />
          GridForge&apos;s own model (load it in Chat)
        </label>
        <label className="toggle">
          <input type="radio" name="bridge-mode" checked={server} onChange={() => setServer(true)} />
          Use a server I already run
        </label>
      </fieldset>
      {disabled && <p className="muted">Stop earning to change where the tokens come from.</p>}
      {server && (
        <fieldset disabled={disabled} className="bridge-server">
          <div className="bridge-servers">
            {drafts.map((draft, index) => (
              <ServerCard
                key={draft.id}
                index={index}
                draft={draft}
                saved={list.servers.find((old) => old.id === draft.id) ?? null}
                tests={tests[draft.id] ?? null}
                modelsListed={modelsListed(draft, tests[draft.id], found)}
                focusOnMount={focusId === draft.id}
                onChange={(next) => setDrafts(drafts.map((old) => (old.id === next.id ? next : old)))}
                onTest={() => test(draft)}
                onRemove={() => remove(draft, index)}
              />
            ))}
          </div>
          <div>
            <button type="button" ref={addButton} onClick={() => add()}>
              Add server
            </button>
            <button
              type="button"
              disabled={finding}
              onClick={() => {
                setFinding(true)
                void findBridgeServers().finally(() => setFinding(false))
              }}
            >
              {finding ? 'Looking…' : 'Find servers on this PC'}
            </button>
          </div>
          <FoundServers found={found} onAdd={add} />
          <div className="save-row">
            <button type="button" disabled={drafts.length === 0} onClick={saveCards}>
              Save and earn through these servers
            </button>
            <SaveFeedback feedback={feedback} />
          </div>
        </fieldset>
      )}
      {!server && <SaveFeedback feedback={feedback} />}
    </div>
  )
}

/** The models a server is known to list: its last test's, or what "Find servers on this PC" saw at its address. */
function modelsListed(draft: ServerDraft, tests: ServerTest[] | undefined, found: FoundServer[] | null): string[] {
  const url = draft.url.trim().replace(/\/+$/, '')
  return [...new Set([...(tests ?? []).flatMap((test) => test.result.models), ...(found?.find((f) => f.url === url)?.models ?? [])])]
}

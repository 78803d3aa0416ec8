import type { FoundServer } from '../../../../shared/bridge'

/** What "Find servers on this PC" found; choosing one adds it to the list. */
export function FoundServers({ found, onAdd }: { found: FoundServer[] | null; onAdd: (server: FoundServer) => void }) {
  if (!found) return null
  if (found.length === 0)
    return (
      <p role="status" className="muted">
        No server answered on the usual ports of this PC (Ollama 11434, LM Studio 1234, llama.cpp 8080, KoboldCpp 5001, vLLM 8000, Jan
        1337). Add it with its address instead.
      </p>
    )
  return (
    <ul className="found-servers" aria-label="Servers on this PC">
      {found.map((candidate) => (
        <li key={candidate.url}>
          <button type="button" className="link" onClick={() => onAdd(candidate)}>
            Add {candidate.name} at {candidate.url}
          </button>{' '}
          <span className="muted">
            {candidate.needsKey
              ? 'wants an API key'
              : candidate.models.length
                ? candidate.models.slice(0, 6).join(', ')
                : 'no model loaded'}
          </span>
        </li>
      ))}
    </ul>
  )
}

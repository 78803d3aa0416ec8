import { useEffect, useState } from 'react'
import { api } from '../../api/bridge'
import { modelsErrorStore } from '../../api/modelsState'

/** An optional Hugging Face token for gated models; stored by the host, never shown again. */
export function HfTokenForm() {
  const [hasToken, setHasToken] = useState<boolean | null>(null)
  const [token, setToken] = useState('')
  useEffect(() => {
    void api?.call('models.hfToken', {}).then((result) => result.ok && setHasToken(result.value.hasToken))
  }, [])
  const save = async (value: string | null) => {
    const result = await api!.call('models.setHfToken', { token: value })
    if (!result.ok) {
      modelsErrorStore.set(result.error)
      return
    }
    modelsErrorStore.set(null)
    setHasToken(result.value.hasToken)
    setToken('')
  }
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault()
        if (token.trim()) void save(token.trim())
      }}
    >
      <label htmlFor="hf-token">
        Hugging Face access token, only for gated models ({hasToken ? 'one is saved' : 'none saved'}; sent only to Hugging Face)
      </label>
      <input id="hf-token" type="password" autoComplete="off" value={token} placeholder="hf_…" onChange={(e) => setToken(e.target.value)} />
      <button type="submit" disabled={!token.trim()}>
        Save token
      </button>
      {hasToken && (
        <button type="button" onClick={() => void save(null)}>
          Remove token
        </button>
      )}
    </form>
  )
}

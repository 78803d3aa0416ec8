import { useEffect, useState } from 'react'
import type { EngineBuildStatus, EngineBuildStep, EngineFlavor } from '../../../../shared/engineBuild'
import type { AppErrorShape } from '../../../../shared/result'
import { api } from '../../api/bridge'

const STEP_TEXT: Record<EngineBuildStep, string> = {
  checking: 'Checking the build tools…',
  preparing: 'Unpacking the llama.cpp source that comes with GridForge…',
  configuring: 'Configuring the build for this PC…',
  compiling: 'Compiling',
  verifying: 'Checking the new engine: loading a model and generating a few tokens…',
}

function taskText(task: NonNullable<EngineBuildStatus['task']>): string {
  if (task.step === 'compiling') return `Compiling… ${Math.round((task.progress ?? 0) * 100)}%`
  return STEP_TEXT[task.step]
}

/** Settings › Engine: "Optimize the engine for this PC" (a build from the bundled source) and the way back. */
export function EngineSettings() {
  const [status, setStatus] = useState<EngineBuildStatus | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  useEffect(() => {
    void api?.call('engine.buildStatus', {}).then((result) => result.ok && setStatus(result.value))
    return api?.on('engine.build', setStatus)
  }, [])
  if (!status) return null
  const answer = (result: Awaited<ReturnType<NonNullable<typeof api>['call']>>) => {
    setError(result.ok ? null : result.error)
    if (result.ok) setStatus(result.value as EngineBuildStatus)
  }
  const optimize = async () => api && answer(await api.call('engine.optimize', {}))
  const use = async (flavor: EngineFlavor) => api && answer(await api.call('engine.useBuild', { flavor }))
  const running = status.running?.flavor ?? 'standard'

  return (
    <div className="settings-card" aria-label="Engine">
      <h2>Engine</h2>
      <p className="muted">
        GridForge can build its engine on this PC, for this processor and with a thread pool that stays warm between tokens; this can make
        generation faster than the standard engine. It takes a while (tens of minutes on a small PC) and needs CMake, a C++ compiler and
        Git.
      </p>
      <p data-testid="engine-flavor">
        Running: the {running} engine
        {status.chosen !== running && `; the ${status.chosen} engine is used from the next engine start`}.
      </p>
      {status.running?.note && <p className="error-text">{status.running.note}</p>}
      {status.build && (
        <p className="muted">
          Optimized build: {status.build.options.join(', ')}, built {new Date(status.build.builtAt).toLocaleString()} in{' '}
          {Math.max(1, Math.round(status.build.buildSeconds / 60))} min.
        </p>
      )}
      {status.unavailable ? (
        <p className="muted">{status.unavailable}</p>
      ) : (
        <div>
          <button type="button" className="primary" disabled={status.task !== null} onClick={() => void optimize()}>
            {status.build ? 'Optimize again' : 'Optimize the engine for this PC'}
          </button>
          {status.chosen === 'optimized' && (
            <button type="button" disabled={status.task !== null} onClick={() => void use('standard')}>
              Use the standard engine
            </button>
          )}
          {status.chosen === 'standard' && status.build && (
            <button type="button" disabled={status.task !== null} onClick={() => void use('optimized')}>
              Use the optimized engine
            </button>
          )}
        </div>
      )}
      {status.task && (
        <p role="status" data-testid="engine-build-progress">
          {taskText(status.task)}
        </p>
      )}
      {status.outcome && (
        <p className={status.outcome.ok ? 'muted' : 'error-text'} data-testid="engine-build-outcome">
          {status.outcome.message}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
    </div>
  )
}

import { useState } from 'react'
import type { MiningPolicySettings, ScheduleWindow } from '../../../../shared/domain'
import { DEFAULT_THERMAL } from '../../../../shared/miningPolicySchema'
import { setMiningPolicy } from '../../api/appState'

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const hour = (h: number) => `${String(h).padStart(2, '0')}:00`

function WindowEditor({
  window,
  onChange,
  onRemove,
  index,
}: {
  window: ScheduleWindow
  onChange: (w: ScheduleWindow) => void
  onRemove: () => void
  index: number
}) {
  const toggleDay = (day: number) =>
    onChange({ ...window, days: window.days.includes(day) ? window.days.filter((d) => d !== day) : [...window.days, day].sort() })
  return (
    <fieldset className="schedule-window" aria-label={`Window ${index + 1}`}>
      <div className="days">
        {DAYS.map((name, day) => (
          <label key={name} className="toggle">
            <input type="checkbox" checked={window.days.includes(day)} onChange={() => toggleDay(day)} />
            {name}
          </label>
        ))}
      </div>
      <label>
        From
        <select value={window.startHour} onChange={(e) => onChange({ ...window, startHour: Number(e.target.value) })}>
          {Array.from({ length: 24 }, (_, h) => (
            <option key={h} value={h}>
              {hour(h)}
            </option>
          ))}
        </select>
      </label>
      <label>
        To
        <select value={window.endHour} onChange={(e) => onChange({ ...window, endHour: Number(e.target.value) })}>
          {Array.from({ length: 24 }, (_, i) => i + 1).map((h) => (
            <option key={h} value={h}>
              {h === 24 ? '24:00' : hour(h)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={onRemove}>
        Remove window
      </button>
    </fieldset>
  )
}

/**
 * When the miner may take grid jobs: after N idle minutes, not on battery, inside schedule windows
 * (host local time; a window ending before it starts runs overnight), and N seconds after local use.
 */
export function MiningPolicyForm({ policy: saved }: { policy: MiningPolicySettings }) {
  const [policy, setPolicy] = useState(saved)
  const [savedNote, setSavedNote] = useState(false)
  const set = (change: Partial<MiningPolicySettings>) => {
    setSavedNote(false)
    setPolicy({ ...policy, ...change })
  }
  const thermal = policy.thermal ?? DEFAULT_THERMAL
  const setWindows = (windows: ScheduleWindow[]) => set({ schedule: { ...policy.schedule, windows } })

  return (
    <form
      className="earn-settings mining-policy"
      aria-label="When to mine"
      onSubmit={(event) => {
        event.preventDefault()
        void setMiningPolicy(policy).then(setSavedNote)
      }}
    >
      <fieldset>
        <legend>When to mine</legend>
        <label>
          Mine only after the PC has been idle (minutes, 0 = always)
          <input
            type="number"
            min={0}
            max={1440}
            value={policy.idleMinutes}
            onChange={(e) => set({ idleMinutes: Number(e.target.value) })}
          />
        </label>
        <label>
          Resume after local chat or API use (seconds)
          <input
            type="number"
            min={0}
            max={3600}
            value={policy.localCooldownSeconds}
            onChange={(e) => set({ localCooldownSeconds: Number(e.target.value) })}
          />
        </label>
        <label className="toggle">
          <input type="checkbox" checked={policy.pauseOnBattery} onChange={(e) => set({ pauseOnBattery: e.target.checked })} />
          Pause on battery
        </label>
        <label className="toggle">
          <input type="checkbox" checked={thermal.enabled} onChange={(e) => set({ thermal: { ...thermal, enabled: e.target.checked } })} />
          Pause when the GPU is too hot
        </label>
        {thermal.enabled && (
          <>
            <label>
              Pause at (°C)
              <input
                type="number"
                min={40}
                max={110}
                value={thermal.pauseAboveC}
                onChange={(e) => set({ thermal: { ...thermal, pauseAboveC: Number(e.target.value) } })}
              />
            </label>
            <label>
              Resume below (°C)
              <input
                type="number"
                min={30}
                max={105}
                value={thermal.resumeBelowC}
                onChange={(e) => set({ thermal: { ...thermal, resumeBelowC: Number(e.target.value) } })}
              />
            </label>
          </>
        )}
        <label className="toggle">
          <input
            type="checkbox"
            checked={policy.schedule.enabled}
            onChange={(e) =>
              set({
                schedule: {
                  enabled: e.target.checked,
                  windows: policy.schedule.windows.length
                    ? policy.schedule.windows
                    : [{ days: [0, 1, 2, 3, 4, 5, 6], startHour: 22, endHour: 6 }],
                },
              })
            }
          />
          Mine only inside a schedule
        </label>
        {policy.schedule.enabled && (
          <div className="schedule">
            {policy.schedule.windows.map((window, index) => (
              <WindowEditor
                key={index}
                index={index}
                window={window}
                onChange={(changed) => setWindows(policy.schedule.windows.map((w, i) => (i === index ? changed : w)))}
                onRemove={() => setWindows(policy.schedule.windows.filter((_, i) => i !== index))}
              />
            ))}
            <button
              type="button"
              onClick={() => setWindows([...policy.schedule.windows, { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 }])}
            >
              Add window
            </button>
          </div>
        )}
        <button type="submit">Save policies</button>
        {savedNote && (
          <span className="muted" role="status">
            Saved; applied at once.
          </span>
        )}
      </fieldset>
    </form>
  )
}

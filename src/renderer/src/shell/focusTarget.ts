/** Elements the keyboard moves to by id, so shortcuts and actions need no reference into another component. */
export const FOCUS_IDS = { main: 'main', composer: 'composer', search: 'chat-search' } as const

/** How many frames to wait for a target that a view switch is about to render. */
const MAX_FRAMES = 10

/**
 * Moves focus to an element, waiting a few frames when it is not rendered yet (after switching views or
 * starting a new chat), hidden or still disabled; gives up quietly when it never appears.
 */
export function focusWhenShown(id: string, frames = MAX_FRAMES): void {
  const element = document.getElementById(id)
  // Hidden (a folded panel about to open) counts as not shown yet: focus() would do nothing.
  if (element && !(element as HTMLButtonElement).disabled && element.getClientRects().length > 0) {
    element.focus()
    return
  }
  if (frames > 0) requestAnimationFrame(() => focusWhenShown(id, frames - 1))
}

import { createStore } from './store'

/** The window's views, in the order the navigation shows them. */
export const VIEWS = { chat: 'Chat', models: 'Models', earn: 'Earn', settings: 'Settings' } as const
/** One of the window's views. */
export type View = keyof typeof VIEWS

/** The view on screen; empty states and the welcome link to another view through it. */
export const viewStore = createStore<View>('chat')

/** Shows a view (what a link in an empty state does). */
export function goTo(view: View): void {
  viewStore.set(view)
}

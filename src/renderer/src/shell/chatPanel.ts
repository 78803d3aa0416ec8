import { createStore } from '../api/store'

/** What a narrow window shows above the chat's messages: nothing more, the conversation list, or the chat options. */
export type NarrowPanel = 'none' | 'chats' | 'tools'

/** The narrow chat's open panel; a store, so a shortcut (Ctrl+K opens the list to search) can open it too. */
export const chatPanelStore = createStore<NarrowPanel>('none')

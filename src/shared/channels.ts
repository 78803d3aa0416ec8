import type { CallName, EventName } from './api.js'

/**
 * The call and event names as runtime values, without zod, so the sandboxed preload can check them cheaply.
 * `satisfies` keeps these lists equal to the contract: a new call fails to compile until it is listed.
 */
export const callNames = {
  'app.info': true,
  'models.listLocal': true,
  'engine.status': true,
  'engine.load': true,
  'engine.unload': true,
  'chat.list': true,
  'chat.get': true,
  'chat.delete': true,
  'chat.send': true,
  'chat.stop': true,
  'chat.gridModels': true,
  'earn.status': true,
  'earn.configure': true,
  'earn.setApiKey': true,
  'earn.start': true,
  'earn.stop': true,
  'earn.jobs': true,
  'api.status': true,
  'api.configure': true,
  'api.regenerateToken': true,
} as const satisfies Record<CallName, true>

/** See `callNames`. */
export const eventNames = {
  'engine.snapshot': true,
  'chat.delta': true,
  'chat.message': true,
  'chat.conversations': true,
  'chat.progress': true,
  'earn.snapshot': true,
  'api.snapshot': true,
} as const satisfies Record<EventName, true>

/** True when `name` is a call of the contract. */
export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.hasOwn(callNames, name)

/** True when `name` is an event of the contract. */
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.hasOwn(eventNames, name)

/** IPC channel names used by the Electron preload and the main-process binding. */
export const IPC_CALL = 'gridforge:call'
export const IPC_EVENT = 'gridforge:event'

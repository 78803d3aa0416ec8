import type { CallName, EventName } from './api.js'

/**
 * The call and event names as runtime values, without zod, so the sandboxed preload can check them cheaply.
 * `satisfies` keeps these lists equal to the contract: a new call fails to compile until it is listed.
 */
export const callNames = {
  'app.info': true,
  'models.listLocal': true,
  'models.catalog': true,
  'models.hardware': true,
  'models.downloads': true,
  'models.download': true,
  'models.pauseDownload': true,
  'models.resumeDownload': true,
  'models.cancelDownload': true,
  'models.register': true,
  'models.remove': true,
  'models.hfToken': true,
  'models.setHfToken': true,
  'engine.status': true,
  'engine.load': true,
  'engine.unload': true,
  'chat.list': true,
  'chat.get': true,
  'chat.older': true,
  'chat.delete': true,
  'chat.send': true,
  'chat.stop': true,
  'chat.rename': true,
  'chat.restore': true,
  'chat.search': true,
  'chat.regenerate': true,
  'chat.edit': true,
  'chat.select': true,
  'chat.deleteMessage': true,
  'chat.updateSettings': true,
  'chat.export': true,
  'chat.import': true,
  'chat.importCancel': true,
  'chat.gridModels': true,
  'earn.status': true,
  'earn.configure': true,
  'earn.setApiKey': true,
  'earn.start': true,
  'earn.stop': true,
  'earn.jobs': true,
  'earn.setPolicy': true,
  'earn.history': true,
  'earn.refreshAccount': true,
  'earn.onboarding': true,
  'earn.setOnboarding': true,
  'earn.quickStart': true,
  'earn.quickStartStatus': true,
  'earn.quickStartCancel': true,
  'earn.readiness': true,
  'earn.readinessStatus': true,
  'earn.advisor': true,
  'identity.status': true,
  'identity.request': true,
  'identity.install': true,
  'identity.enroll': true,
  'identity.cancelEnrollment': true,
  'api.status': true,
  'storage.status': true,
  'api.configure': true,
  'api.regenerateToken': true,
  'alerts.settings': true,
  'alerts.configure': true,
  'alerts.test': true,
  'bridge.settings': true,
  'bridge.configure': true,
  'bridge.test': true,
  'bridge.find': true,
  'metrics.status': true,
  'metrics.configure': true,
  'desktop.status': true,
  'desktop.setLoginItem': true,
  'desktop.update': true,
  'desktop.openLogsFolder': true,
  'desktop.setSpellcheck': true,
} as const satisfies Record<CallName, true>

/** See `callNames`. */
export const eventNames = {
  'engine.snapshot': true,
  'models.local': true,
  'models.downloads': true,
  'models.catalog': true,
  'chat.delta': true,
  'chat.message': true,
  'chat.conversations': true,
  'chat.progress': true,
  'chat.importProgress': true,
  'earn.snapshot': true,
  'earn.quickStart': true,
  'earn.readiness': true,
  'identity.status': true,
  'api.snapshot': true,
  'bridge.settings': true,
  'desktop.snapshot': true,
  'storage.status': true,
} as const satisfies Record<EventName, true>

/** True when `name` is a call of the contract. */
export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && Object.hasOwn(callNames, name)

/** True when `name` is an event of the contract. */
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && Object.hasOwn(eventNames, name)

/** IPC channel names used by the Electron preload and the main-process binding. */
export const IPC_CALL = 'gridforge:call'
export const IPC_EVENT = 'gridforge:event'

import type { HardwareInfo } from '../../../../shared/models'
import type { QuickStartStepName } from '../../../../shared/quickStart'
import { formatBytes } from '../../components/format'

/** Where people get an AIPG API key (opened only as an https link). */
export const AIPG_SITE = 'https://aipowergrid.io'

/** Start earning's steps in words. */
export const STEP_LABELS: Record<QuickStartStepName, string> = {
  download: 'Download the model',
  load: 'Load the model',
  connect: 'Connect to the grid',
  'first-job': 'Wait for the first job',
}

/** This PC as label/value rows: GPU, VRAM, RAM, cores. */
export function hardwareRows(hardware: HardwareInfo): Array<[string, string]> {
  return [
    ['GPU', hardware.gpu ? hardware.gpuNames.join(', ') || hardware.gpu.toUpperCase() : 'None usable (models run on the CPU)'],
    ['VRAM', hardware.gpu ? `${formatBytes(hardware.vramFreeBytes)} free of ${formatBytes(hardware.vramTotalBytes)}` : '–'],
    ['RAM', `${formatBytes(hardware.ramFreeBytes)} free of ${formatBytes(hardware.ramTotalBytes)}`],
    ['CPU cores', String(hardware.cpuCores)],
  ]
}

#!/usr/bin/env node
// Draws the app icons (resources/icons) and the tray pictures (resources/tray) as PNGs with node:zlib,
// so they are reproducible from this script without an image editor. electron-builder derives the
// .ico and .icns files from resources/icons/512x512.png. Run: node scripts/generate-icons.js
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buffer) {
  let crc = 0xffffffff
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** Encodes RGBA pixels (size × size × 4 bytes) as a PNG. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0 // no filter
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * Renders `shade(x, y)` (coordinates from 0 to 1, returning [r, g, b, a] or null) with 4×4 supersampling,
 * so edges are smooth at 16 px as well as at 512 px.
 */
function render(size, shade) {
  const samples = 4
  const out = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const color = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)
          if (!color) continue
          const alpha = color[3] / 255
          r += color[0] * alpha
          g += color[1] * alpha
          b += color[2] * alpha
          a += alpha
        }
      }
      const i = (py * size + px) * 4
      const n = samples * samples
      out[i] = a ? Math.round(r / a) : 0
      out[i + 1] = a ? Math.round(g / a) : 0
      out[i + 2] = a ? Math.round(b / a) : 0
      out[i + 3] = Math.round((a / n) * 255)
    }
  }
  return out
}

function insideRoundedSquare(x, y, inset, radius) {
  const lo = inset + radius
  const hi = 1 - inset - radius
  const dx = Math.max(lo - x, 0, x - hi)
  const dy = Math.max(lo - y, 0, y - hi)
  return x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= radius * radius
}

/** A 3×3 grid of cells, the "power grid", with the centre cell lit. */
function gridCell(x, y, from, to, gap) {
  const span = (to - from - 2 * gap) / 3
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      const cx = from + col * (span + gap)
      const cy = from + row * (span + gap)
      if (x >= cx && x <= cx + span && y >= cy && y <= cy + span) return row * 3 + col
    }
  }
  return -1
}

function appIcon(x, y) {
  if (!insideRoundedSquare(x, y, 0.06, 0.2)) return null
  const cell = gridCell(x, y, 0.22, 0.78, 0.05)
  if (cell === 4) return [255, 184, 28, 255]
  if (cell >= 0) return [94, 200, 255, 255]
  const t = y
  return [Math.round(18 + 14 * t), Math.round(28 + 20 * t), Math.round(58 + 40 * t), 255]
}

const TRAY_COLORS = {
  idle: [150, 156, 166],
  mining: [46, 204, 113],
  paused: [245, 176, 30],
  error: [231, 76, 60],
}

function trayIcon(color) {
  return (x, y) => {
    const dx = x - 0.5
    const dy = y - 0.5
    const d = Math.sqrt(dx * dx + dy * dy)
    if (d > 0.47) return null
    const cell = gridCell(x, y, 0.27, 0.73, 0.06)
    if (cell >= 0 && d < 0.4) return [255, 255, 255, 255]
    return [...color, 255]
  }
}

function write(path, size, shade) {
  const file = join(root, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, encodePng(size, render(size, shade)))
  console.log(`${path} (${size}×${size})`)
}

for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) write(`resources/icons/${size}x${size}.png`, size, appIcon)
for (const [status, color] of Object.entries(TRAY_COLORS)) {
  write(`resources/tray/tray-${status}.png`, 16, trayIcon(color))
  write(`resources/tray/tray-${status}@2x.png`, 32, trayIcon(color))
}

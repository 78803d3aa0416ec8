#!/usr/bin/env bash
# Runs a command with a display: on Linux without one, under a virtual X server (xvfb-run), so Electron's
# windows open on CI runners; elsewhere (macOS, Windows, a Linux desktop) as it is.
set -euo pipefail
if [[ "$(uname -s)" == Linux && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  if ! command -v xvfb-run >/dev/null; then
    echo "No display and no xvfb-run: install it (sudo apt-get install -y xvfb) to run the Electron tests." >&2
    exit 1
  fi
  exec xvfb-run --auto-servernum --server-args='-screen 0 1280x960x24' "$@"
fi
exec "$@"

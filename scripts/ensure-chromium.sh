#!/usr/bin/env bash
# Installs Debian's chromium when /usr/bin/chromium is absent (the browser test drives it through
# playwright-core). Idempotent and non-interactive: safe in CI, as root, with no TTY. Prints one
# line saying what it did; apt's own chatter goes to a log that is shown only on failure.
set -euo pipefail

readonly CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") already installed"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -n -E "$0" "$@"
  fi
  echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (run this script as root)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp -t ensure-chromium.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

started=$SECONDS
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get failed (see above)" >&2
  exit 1
fi
if [[ ! -x "$CHROMIUM" ]]; then
  echo "ensure-chromium: apt-get succeeded but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null) in $((SECONDS - started))s"

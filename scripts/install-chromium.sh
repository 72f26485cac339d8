#!/usr/bin/env bash
# Make sure Debian's Chromium (/usr/bin/chromium) and a CJK font are present for the browser tests.
# Idempotent: does nothing when it is already installed. Playwright never downloads its own
# browser here (command centres are offline); tests use executable_path="/usr/bin/chromium".
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# A CJK font, or every Chinese character renders as a box in screenshots.
CJK_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

if [[ -x "$CHROMIUM" && -f "$CJK_FONT" ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-chromium: $CHROMIUM is missing; run as root (or: sudo apt-get install chromium)" >&2
    exit 1
fi

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei
"$CHROMIUM" --version

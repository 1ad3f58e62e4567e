#!/usr/bin/env bash
# Souk POS developer entry point.
#   ./dev.sh app    set everything up, then open the stall app (local SQLite in the user's data dir)
#   ./dev.sh test   set everything up, then run linters, type checks and the whole test suite
#   ./dev.sh setup  only set everything up
#   ./dev.sh server set everything up, then start the organisers' server on 127.0.0.1:8700
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

# Debian packages: Qt's runtime libraries (offscreen and xcb), Chromium for the dashboard's
# browser tests, Xvfb for a virtual screen.
DEBS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 xvfb chromium)

setup_debian() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing=()
    for p in "${DEBS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "Missing Debian packages (install them as root): ${missing[*]}" >&2; return 0; fi
    echo "Installing Debian packages: ${missing[*]}"
    if ! { $SUDO apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }
    then
        echo "Some Debian packages could not be installed (${missing[*]}); going on." >&2
    fi
}

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
        "$PY" -m venv "$VENV" || { echo "python3-venv is needed: apt-get install python3-venv" >&2; exit 1; }
    fi
    local stamp="$VENV/.souk-installed" want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[server,test]"
        echo "$want" > "$stamp"
    fi
    # The app's modules compiled to bytecode, as an installed package has them, so that no
    # start compiles them, the first one included, even where Python is told not to write
    # bytecode itself (PYTHONDONTWRITEBYTECODE); Python checks each one against its source.
    "$VENV/bin/python" -m compileall -q -j 0 pos ui sync >/dev/null
}

setup() { setup_debian; setup_python; }

cmd=${1:-help}; shift || true
case "$cmd" in
    setup) setup ;;
    app)
        setup
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            echo "No display found: starting a virtual screen (Xvfb :99)."
            (Xvfb :99 -screen 0 1366x768x24 >/dev/null 2>&1 &) ; export DISPLAY=:99; sleep 1
        fi
        exec "$VENV/bin/souk-pos" "$@" ;;
    server)
        setup
        exec "$VENV/bin/souk-server" serve "$@" ;;
    test)
        setup
        export QT_QPA_PLATFORM=offscreen
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"
        exec "$VENV/bin/python" -m pytest -n 2 --dist loadgroup "$@" ;;
    *)
        sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

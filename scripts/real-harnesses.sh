#!/usr/bin/env bash
# Creates, or reuses, one virtualenv per real harness for the real-harness test tier (test/real/).
#
# The requirements come from test/real/pins.txt, one line per harness. Each venv lives OUTSIDE the repo
# under $LMMS_TUI_TEST_CACHE (default ~/.cache/lmms-tui-test) in venvs/<harness>-<hash of its line>,
# and is reused when the `.complete` stamp in it records the same line and the same Python: a warm
# machine pays nothing, a bumped pin gets a new venv (older ones are removed).
#
# Usage: scripts/real-harnesses.sh [--check] [HARNESS...]
#   --check   create nothing; exit 1 (naming what is missing) unless every venv is ready
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pins="$root/test/real/pins.txt"
cache="${LMMS_TUI_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lmms-tui-test}"
python="${LMMS_TUI_TEST_PYTHON:-python3}"
check=0
want=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -*) echo "real-harnesses.sh: unknown option $arg" >&2; exit 2 ;;
    *) want+=("$arg") ;;
  esac
done

pyver=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
mkdir -p "$cache/venvs"
status=0

while read -r harness reqs; do
  case "$harness" in '' | '#'*) continue ;; esac
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $harness "* ]]; then continue; fi
  line="$harness $reqs"
  hash=$(printf '%s' "$line" | sha256sum | cut -c1-12)
  venv="$cache/venvs/$harness-$hash"
  stamp="$line python=$pyver"
  if [ -f "$venv/.complete" ] && [ "$(cat "$venv/.complete")" = "$stamp" ] && [ -x "$venv/bin/python" ]; then
    echo "real harness $harness: reusing $venv"
    continue
  fi
  if [ "$check" = 1 ]; then
    echo "real harness $harness: no ready venv at $venv (create it with: bash scripts/real-harnesses.sh)" >&2
    status=1
    continue
  fi
  echo "real harness $harness: creating $venv ($reqs)"
  start=$(date +%s)
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # The stamp is written last, so a half-built venv (an interrupted install) is never taken for ready.
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
  echo "$stamp" >"$venv/.complete"
  echo "real harness $harness: ready in $(($(date +%s) - start)) s, $(du -sh "$venv" | cut -f1)"
  # Venvs of older pins of this harness are dead weight (several GB with torch).
  for old in "$cache/venvs/$harness"-*; do
    [ "$old" = "$venv" ] || [ ! -d "$old" ] || rm -rf "$old"
  done
done <"$pins"
exit "$status"

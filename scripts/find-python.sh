#!/usr/bin/env bash
# Prints the path of a Python 3.12 interpreter: $PYTHON if set, python3.12 on PATH (when it
# really runs: a pyenv shim may exist without the version being selected), else pyenv's newest 3.12.
set -euo pipefail
works() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; }
for candidate in "${PYTHON:-}" python3.12 python3 $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 2>/dev/null | sort -V -r); do
  [ -n "$candidate" ] || continue
  if works "$candidate"; then command -v "$candidate"; exit 0; fi
done
echo "No Python 3.12 found: install it (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12" >&2
exit 1

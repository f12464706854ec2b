#!/bin/sh
# Starts one student's Jupyter server for JupyterHub: first their own copy of the lessons (only the
# missing ones are written), then jupyterhub-singleuser from the project's venv, with the arguments
# the spawner gives.
set -eu
ROOT="${GRADIENT_LAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
node "$ROOT/node_modules/tsx/dist/cli.mjs" "$ROOT/jupyter/hub/copy-lessons.ts" "$HOME/gradient-lab"
# Notebooks in the home import kernel-lib: Node and the kernel's TypeScript look for it in the
# node_modules folders above the notebook, so link the project's there (a student's own folder stays).
if [ ! -e "$HOME/node_modules" ] || [ -L "$HOME/node_modules" ]; then
  ln -sfn "$ROOT/node_modules" "$HOME/node_modules"
fi
exec "$ROOT/.venv/bin/jupyterhub-singleuser" "$@"

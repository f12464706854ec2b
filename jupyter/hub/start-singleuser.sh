#!/bin/sh
# Starts one student's Jupyter server for JupyterHub: first their own copy of the lessons (only the
# missing ones are written), then jupyterhub-singleuser from the project's venv, with the arguments
# the spawner gives.
set -eu
ROOT="${GRADIENT_LAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
node "$ROOT/node_modules/tsx/dist/cli.mjs" "$ROOT/jupyter/hub/copy-lessons.ts" "$HOME/gradient-lab"
exec "$ROOT/.venv/bin/jupyterhub-singleuser" "$@"

"""JupyterHub configuration for a Gradient Lab class.

Every student's server runs this project's Jupyter (the pinned packages in .venv/, the TypeScript
kernel "tslab" and the plotly renderer), and on each start first makes sure the student's home holds
the learner's copy of the lessons in ~/gradient-lab/: a lesson is copied only when that file is
missing, so a student's later work is never overwritten (delete a lesson to get it afresh).

Use it as it is (`jupyterhub -f jupyter/hub/jupyterhub_config.py`, after `npm ci` and one `npm start`
or `npm test` so that .venv/ exists), or load it from your own config and add your authenticator,
spawner and users:

    load_subconfig("/path/to/gradient-lab/jupyter/hub/jupyterhub_config.py")
    c.JupyterHub.authenticator_class = "github"    # or PAM (the default), LTI, ...

Set GRADIENT_LAB_ROOT when the project is somewhere else than two folders above this file (the
Zero to JupyterHub image puts it in /opt/gradient-lab).
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

ROOT = Path(os.environ.get("GRADIENT_LAB_ROOT") or Path(__file__).resolve().parents[2])

# The student's server: copy missing lessons into ~/gradient-lab/, then start jupyterhub-singleuser
# from the project's venv (where the TypeScript kernel and the plotly renderer are registered).
c.Spawner.cmd = [str(ROOT / "jupyter" / "hub" / "start-singleuser.sh")]
c.Spawner.environment = {"GRADIENT_LAB_ROOT": str(ROOT)}
c.Spawner.default_url = "/lab/tree/gradient-lab/00-welcome.ipynb"
# The first start copies the lessons and loads JupyterLab; give slow machines time.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# Per-student limits. Kubernetes, Docker and systemd spawners enforce them; every spawner passes
# them to the server as MEM_LIMIT (bytes) and CPU_LIMIT (cores), which students can read. The
# lessons train small networks: 2 GB and one core are plenty; training MNIST in lesson 2 takes the most.
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 1.0

# Stop servers idle for an hour (the hub's own culler needs the jupyterhub-idle-culler service;
# this setting makes each server stop itself).
c.Spawner.args = ["--ServerApp.shutdown_no_activity_timeout=3600", "--MappingKernelManager.cull_idle_timeout=3600"]

"""`make run` (scripts/run_with_worker.sh) starts the PDF worker at the lowest CPU priority.

A stand-in for Python records the scheduling policy and niceness each of the two processes starts
with; the server's stand-in waits for the worker's line, then exits, which stops the script and
the worker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

FAKE_PYTHON = """#!/usr/bin/env bash
policy=$(python3 -c 'import os; print(os.sched_getscheduler(0))')
echo "$2 $policy $(nice)" >> "{log}"
if [ "$2" = db_worker ]; then exec sleep 30; fi
for _ in $(seq 100); do grep -q '^db_worker ' "{log}" && exit 0; sleep 0.1; done
exit 1
"""


def _started(tmp_path: Path) -> dict[str, tuple[int, int]]:
    log = tmp_path / "priority.log"
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(log=log))
    python.chmod(0o755)
    subprocess.run(
        [str(Path(settings.BASE_DIR) / "scripts" / "run_with_worker.sh"), str(python), "127.0.0.1:0"],
        timeout=30,
        check=True,
    )
    started = {}
    for line in log.read_text().splitlines():
        command, policy, niceness = line.split()
        started[command] = (int(policy), int(niceness))
    return started


def test_the_worker_runs_only_when_the_server_leaves_the_cpu_idle(tmp_path: Path):
    started = _started(tmp_path)

    assert started["runserver"] == (os.sched_getscheduler(0), os.nice(0))
    if shutil.which("chrt"):
        assert started["db_worker"][0] == os.SCHED_IDLE
    else:
        assert started["db_worker"][1] == 19

"""`make run` (scripts/run_with_worker.sh) starts the PDF worker at a lower CPU priority than the server.

A stand-in for Python records the niceness each of the two processes starts with; the server's
stand-in waits for the worker's line, then exits, which stops the script and the worker.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$2 $(nice)" >> "{log}"
if [ "$2" = db_worker ]; then exec sleep 30; fi
for _ in $(seq 100); do grep -q '^db_worker ' "{log}" && exit 0; sleep 0.1; done
exit 1
"""


def test_the_worker_runs_niced_below_the_server(tmp_path: Path):
    base = os.nice(0)
    if base >= 19:
        pytest.skip("already at the lowest CPU priority: nothing to lower")
    log = tmp_path / "niceness.log"
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(log=log))
    python.chmod(0o755)

    subprocess.run(
        [str(Path(settings.BASE_DIR) / "scripts" / "run_with_worker.sh"), str(python), "127.0.0.1:0"],
        timeout=30,
        check=True,
    )

    niceness = dict(line.split() for line in log.read_text().splitlines())
    assert int(niceness["runserver"]) == base
    assert int(niceness["db_worker"]) == min(base + 10, 19)

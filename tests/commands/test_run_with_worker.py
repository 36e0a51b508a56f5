"""`make run` (scripts/run_with_worker.sh): the PDF worker at a lower CPU priority than the server,
and both in the demo's settings (debug off, plain http, a secret key made once per copy).

A stand-in for Python records what each of the two processes starts with; the server's stand-in
waits for the worker's line, then exits, which stops the script and the worker. The script runs
from a copy in a temporary folder, so the key it makes is kept there, not in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$2 $(nice) ${{DJANGO_DEBUG:-unset}} ${{EXOSAFE_DEMO:-unset}} ${{DJANGO_SECRET_KEY:-unset}}" >> "{log}"
if [ "$2" = db_worker ]; then exec sleep 30; fi
for _ in $(seq 100); do grep -q '^db_worker ' "{log}" && exit 0; sleep 0.1; done
exit 1
"""


def run_script(tmp_path: Path, **env: str) -> dict[str, list[str]]:
    """Run a copy of the script once with the stand-in; what each process started with, by command."""
    script = tmp_path / "scripts" / "run_with_worker.sh"
    script.parent.mkdir(exist_ok=True)
    shutil.copy(Path(settings.BASE_DIR) / "scripts" / "run_with_worker.sh", script)
    log = tmp_path / "started.log"
    log.unlink(missing_ok=True)
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(log=log))
    python.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EXOSAFE_"))}
    subprocess.run(
        [str(script), str(python), "127.0.0.1:0"], env={**clean, **env}, cwd=tmp_path, timeout=30, check=True
    )
    return {command: rest for command, *rest in (line.split() for line in log.read_text().splitlines())}


def test_the_worker_runs_niced_below_the_server(tmp_path: Path):
    base = os.nice(0)
    if base >= 19:
        pytest.skip("already at the lowest CPU priority: nothing to lower")
    started = run_script(tmp_path)
    assert int(started["runserver"][0]) == base
    assert int(started["db_worker"][0]) == min(base + 10, 19)


def test_both_run_with_debug_off_as_a_demo_with_a_key_kept_for_this_copy(tmp_path: Path):
    first = run_script(tmp_path)
    for command in ("runserver", "db_worker"):
        _nice, debug, demo, key = first[command]
        assert (debug, demo) == ("0", "1"), command
        assert len(key) >= 50, command
    key_file = tmp_path / ".demo-secret-key"
    assert key_file.read_text() == first["runserver"][3]
    assert key_file.stat().st_mode & 0o077 == 0
    # The same key the next time, so that sign-ins survive a restart.
    assert run_script(tmp_path)["runserver"][3] == first["runserver"][3]


def test_a_debug_setting_or_a_key_given_is_kept(tmp_path: Path):
    key = "k" * 60
    started = run_script(tmp_path, DJANGO_DEBUG="1", DJANGO_SECRET_KEY=key)
    assert started["runserver"][1:] == ["1", "1", key]
    assert not (tmp_path / ".demo-secret-key").exists()

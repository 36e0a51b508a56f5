"""`make run` (scripts/run_with_worker.sh): the PDF worker at the lowest CPU priority, and both
processes in the demo's settings (debug off, plain http, a secret key made once per copy).

A stand-in for Python records the scheduling policy, niceness and settings each of the two
processes starts with; the server's stand-in waits for the worker's line, then exits, which stops
the script and the worker (it waits up to a minute: the worker runs at SCHED_IDLE, which a busy
machine may starve for seconds). The script runs from a copy in a temporary folder, so the key it makes
is kept there, not in the repository.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

from django.conf import settings

FAKE_PYTHON = """#!/usr/bin/env bash
policy=$(python3 -c 'import os; print(os.sched_getscheduler(0))')
echo "$2 $policy $(nice) ${{DJANGO_DEBUG:-unset}} ${{EXOSAFE_DEMO:-unset}} ${{DJANGO_SECRET_KEY:-unset}} \\
${{DJANGO_ALLOWED_HOSTS:-unset}} ${{EXOSAFE_PUBLIC_URL:-unset}}" >> "{log}"
if [ "$2" = db_worker ]; then exec sleep 30; fi
for _ in $(seq 600); do grep -q '^db_worker ' "{log}" && exit 0; sleep 0.1; done
exit 1
"""
SCRIPTS = ("run_with_worker.sh", "lowest_cpu_priority.sh")


def run_script(tmp_path: Path, address: str = "127.0.0.1:0", **env: str) -> dict[str, list[str]]:
    """Run a copy of the script once with the stand-in. What each process started with, by command
    (policy, niceness, DJANGO_DEBUG, EXOSAFE_DEMO, the key, the allowed hosts, the public address),
    and under "printed" the words the script printed."""
    scripts = tmp_path / "scripts"
    scripts.mkdir(exist_ok=True)
    for name in SCRIPTS:
        shutil.copy(Path(settings.BASE_DIR) / "scripts" / name, scripts / name)
    log = tmp_path / "started.log"
    log.unlink(missing_ok=True)
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(log=log))
    python.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EXOSAFE_"))}
    result = subprocess.run(
        [str(scripts / "run_with_worker.sh"), str(python), address],
        env={**clean, **env},
        cwd=tmp_path,
        timeout=30,
        check=True,
        capture_output=True,
        text=True,
    )
    started = {command: rest for command, *rest in (line.split() for line in log.read_text().splitlines())}
    return {**started, "printed": result.stdout.split()}


def test_the_worker_runs_only_when_the_server_leaves_the_cpu_idle(tmp_path: Path):
    started = run_script(tmp_path)
    assert (int(started["runserver"][0]), int(started["runserver"][1])) == (os.sched_getscheduler(0), os.nice(0))
    if shutil.which("chrt"):
        assert int(started["db_worker"][0]) == os.SCHED_IDLE
    else:
        assert int(started["db_worker"][1]) == 19


def test_both_run_with_debug_off_as_a_demo_with_a_key_kept_for_this_copy(tmp_path: Path):
    first = run_script(tmp_path)
    for command in ("runserver", "db_worker"):
        _policy, _nice, debug, demo, key, *_rest = first[command]
        assert (debug, demo) == ("0", "1"), command
        assert len(key) >= 50, command
    key_file = tmp_path / ".demo-secret-key"
    assert key_file.read_text() == first["runserver"][4]
    assert key_file.stat().st_mode & 0o077 == 0
    # The same key the next time, so that sign-ins survive a restart.
    assert run_script(tmp_path)["runserver"][4] == first["runserver"][4]


def test_a_debug_setting_or_a_key_given_is_kept(tmp_path: Path):
    key = "k" * 60
    started = run_script(tmp_path, DJANGO_DEBUG="1", DJANGO_SECRET_KEY=key)
    assert started["runserver"][2:5] == ["1", "1", key]
    assert not (tmp_path / ".demo-secret-key").exists()


def test_by_default_it_serves_this_computer_only_and_says_how_to_reach_it_from_a_phone(tmp_path: Path):
    started = run_script(tmp_path, "127.0.0.1:8123")
    *_, allowed_hosts, public_url = started["runserver"]
    assert allowed_hosts == "unset"  # the settings' own default: this computer's names only
    assert public_url == "http://127.0.0.1:8123"
    printed = " ".join(started["printed"])
    assert "http://127.0.0.1:8123/ (this computer only)" in printed
    assert "make run ADDRESS=0.0.0.0:8123" in printed


def _is_an_address_of_this_machine(ip: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((ip, 0))
        except OSError:
            return False
    return True


def test_served_on_the_network_it_prints_the_phones_address_and_the_qr_codes_use_it(tmp_path: Path):
    started = run_script(tmp_path, "0.0.0.0:8123")
    printed = started["printed"]
    phone_urls = [word for word in printed if re.fullmatch(r"http://\d+\.\d+\.\d+\.\d+:8123/", word)]
    lan = phone_urls[-1].removeprefix("http://").removesuffix(":8123/")
    assert not ipaddress.ip_address(lan).is_loopback and not ipaddress.ip_address(lan).is_unspecified
    assert _is_an_address_of_this_machine(lan)
    *_, allowed_hosts, public_url = started["runserver"]
    assert allowed_hosts.split(",") == ["127.0.0.1", "localhost", lan]
    assert public_url == f"http://{lan}:8123"
    assert "Anyone on this network can reach it" in " ".join(printed)


def test_an_address_given_for_the_qr_codes_is_kept(tmp_path: Path):
    started = run_script(tmp_path, "0.0.0.0:8123", EXOSAFE_PUBLIC_URL="http://demo-laptop.local:8123")
    assert started["runserver"][-1] == "http://demo-laptop.local:8123"

"""5. Under load: gunicorn with 2 workers on loopback, wrk against a step page and the trivial view.

gunicorn serves ``clinic.wsgi`` with the benchmark settings and the small database; wrk (one
thread, a few connections) sends the signed-in clinician's session cookie. A response other
than 200 (a redirect to the sign-in page included) or a socket error counts as an error.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from benchmarks.fixtures import Fixtures
from benchmarks.report import Row, ms, ratio
from benchmarks.timing import stop_process

DURATION = 30
WARMUP = 3
CONNECTIONS = 4
WORKERS = 2

WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = (not_ok or 0) + 1
  end
end
function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do
    not_ok = not_ok + (thread:get("not_ok") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "socket_errors": %d, "not_ok": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout, not_ok))
end
"""


def server_port(offset: int) -> int:
    """``$EXOSAFE_BENCH_PORT`` + ``offset`` when set (a shared machine's allotted ports), else any free one."""
    base = os.environ.get("EXOSAFE_BENCH_PORT", "").strip()
    if base:
        return int(base) + offset
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, cookie: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up; see its log in the benchmark folder")
        try:
            # A loopback http:// URL built by the caller.
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out (URLError is one): not up yet
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


@contextmanager
def gunicorn(port: int, workers: int, log_path: Path) -> Iterator[subprocess.Popen]:
    """``clinic.wsgi`` served by gunicorn's sync workers on 127.0.0.1, with the benchmark settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinic.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
        try:
            yield server
        finally:
            stop_process(server, timeout=20)


def _wrk(url: str, cookie: str, seconds: int, script: Path) -> dict:
    result = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(CONNECTIONS),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            "--header",
            f"Cookie: {cookie}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def run(fixtures: Fixtures, workdir: Path) -> list[Row]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run `make bench`, or `sudo apt-get install -y wrk`")
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    cookie = f"{settings.SESSION_COOKIE_NAME}={fixtures.x1.session_key}"
    port = server_port(0)
    base = f"http://127.0.0.1:{port}"
    urls = {
        "step page": base + reverse("checklist:screening-step", args=[fixtures.x1.draft_id, "source"]),
        "trivial view": base + reverse("bench-trivial"),
    }
    with gunicorn(port, WORKERS, workdir / "gunicorn.log") as server:
        wait_until_up(urls["trivial view"], cookie, server)
        results = {}
        for name, url in urls.items():
            _wrk(url, cookie, WARMUP, script)
            results[name] = _wrk(url, cookie, DURATION, script)

    def rps(r: dict) -> float:
        return r["requests"] / (r["duration_us"] / 1e6)

    step, trivial = results["step page"], results["trivial view"]
    errors = {name: r["socket_errors"] + r["not_ok"] for name, r in results.items()}
    return [
        Row(
            "5",
            f"Load ({WORKERS} gunicorn workers, wrk {CONNECTIONS} connections, {DURATION} s each): "
            "requests per second, step page / trivial view",
            ratio(rps(step) / rps(trivial)),
            "none set",
            None,
            f"{rps(step):.0f} vs {rps(trivial):.0f} requests/s",
        ),
        Row(
            "5",
            "Load: p95 latency, step page / trivial view",
            ratio(step["p95_us"] / trivial["p95_us"]),
            "none set",
            None,
            f"{ms(step['p95_us'] / 1e6)} vs {ms(trivial['p95_us'] / 1e6)}",
        ),
        Row(
            "5",
            "Load: errors (socket errors and responses other than 200)",
            f"{errors['step page']} / {errors['trivial view']}",
            "0",
            not any(errors.values()),
            f"{step['requests']} / {trivial['requests']} requests",
        ),
    ]

"""7. Another clinician's step page while signings run, served as production serves it.

gunicorn's sync workers (2 x cores + 1, gunicorn's own advice: 5 on this 2-core machine) serve
``clinic.wsgi`` with the benchmark settings on 127.0.0.1, and a real ``manage.py db_worker`` runs
beside it as ``make run`` does, so every signing's PDF renders in the background. Clinician B
GETs a step page of their own draft at a steady pace while one or two signings run.

A signing runs as a clinician's browser runs it: the consent POST (password check included), the
screening's page it redirects to, then that page's status requests (``static/js/pdf_status.js``:
after 1 s, then 1.5 times longer each time) until the worker has stored the PDF. "One signing"
keeps one such signing running for the whole phase (the next starts when the last is done), "two
signings" two at once. The burst phases are a stress test kept for reference: consent POSTs back
to back, without waiting for the PDF, 10 per loop, so that the render queue grows behind them.
Each round times B's page alone and in every other phase, in a shuffled order; before each phase
the render queue is left to drain, so that "alone" is alone. Every loop is bounded in count and
time and stops by itself.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import secrets
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.urls import reverse

from benchmarks.fixtures import SigningLoad, signing_load
from benchmarks.load import gunicorn, server_port, wait_until_up
from benchmarks.report import Row, ms, ratio
from benchmarks.signing import PASSWORD, consent_data, db_worker

WORKERS = 5
ROUNDS = 3
READER_GETS = 60  # per phase
READER_PACE = 0.05  # seconds between the end of one GET and the next
MAX_SIGNINGS_PER_LOOP = 10  # per phase; a phase's loop never outlives the reader's GETs
LOOP_TIME_LIMIT = 120.0
DRAIN_TIME_LIMIT = 300.0
WARMUP_SIGNINGS = 2
# The screening page's status requests, as static/js/pdf_status.js makes them.
STATUS_FIRST_DELAY = 1.0
STATUS_BACKOFF = 1.5
STATUS_MAX_DELAY = 10.0
MAX_RATIO = 1.5


# A signing that waits for its PDF lasts at least STATUS_FIRST_DELAY, so a loop of them makes at
# most about 4 in B's phase (60 GETs, 50 ms apart); the bound only keeps a runaway loop finite.
MAX_PACED_SIGNINGS_PER_LOOP = 8


@dataclass(frozen=True)
class PhaseKind:
    loops: int
    until_pdf: bool  # a signing lasts until its PDF is stored (as a clinic signs), or only its POST (burst)
    target: bool

    @property
    def limit(self) -> int:
        return MAX_PACED_SIGNINGS_PER_LOOP if self.until_pdf else MAX_SIGNINGS_PER_LOOP


PHASES = {
    "alone": PhaseKind(0, until_pdf=True, target=False),
    "one signing": PhaseKind(1, until_pdf=True, target=True),
    "two signings": PhaseKind(2, until_pdf=True, target=True),
    "one burst": PhaseKind(1, until_pdf=False, target=False),
    "two bursts": PhaseKind(2, until_pdf=False, target=False),
}
POOL = WARMUP_SIGNINGS + ROUNDS * sum(kind.loops * kind.limit for kind in PHASES.values())


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class Http:
    """A signed-in user's requests to the server on loopback, a connection each (sync workers close it)."""

    def __init__(self, port: int, session_key: str) -> None:
        self.port = port
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        status, location, _content = self.fetch(method, path, body)
        return status, location

    def fetch(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, bytes]:
        headers = {"Cookie": self.cookie, "Host": f"127.0.0.1:{self.port}"}
        encoded = None
        if body is not None:
            encoded = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": self.csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=encoded, headers=headers)
            response = conn.getresponse()
            content = response.read()
            return response.status, response.getheader("Location") or "", content
        finally:
            conn.close()


class SigningLoop(threading.Thread):
    """Clinician A signing screenings from the pool one after another, until told to stop or bounded
    out; with ``until_pdf``, each signing waits for its PDF as the screening's page does."""

    def __init__(
        self,
        client: Http,
        pool: queue.SimpleQueue,
        bodies: dict[str, dict],
        stop: threading.Event,
        limit: int,
        *,
        until_pdf: bool = False,
    ):
        super().__init__(daemon=True)
        self.client, self.pool, self.bodies, self.halt, self.limit = client, pool, bodies, stop, limit
        self.until_pdf = until_pdf
        self.signed: list[str] = []
        self.times: list[float] = []
        self.error = ""

    def run(self) -> None:
        deadline = time.monotonic() + LOOP_TIME_LIMIT
        while not self.halt.is_set() and len(self.signed) < self.limit and time.monotonic() < deadline:
            try:
                screening_id = self.pool.get_nowait()
            except queue.Empty:
                return
            path = reverse("checklist:screening-consent", args=[screening_id])
            start = time.perf_counter()
            status, location = self.client.request("POST", path, self.bodies[screening_id])
            self.times.append(time.perf_counter() - start)
            if status != 302 or "login" in location:
                self.error = f"consent POST answered {status} {location}"
                return
            self.signed.append(screening_id)
            if self.until_pdf and not self._wait_for_pdf(screening_id, location, deadline):
                return

    def _wait_for_pdf(self, screening_id: str, page: str, deadline: float) -> bool:
        """The screening's page, then its status requests until the PDF is stored (or a failure)."""
        status, _location = self.client.request("GET", page)
        if status != 200:
            self.error = f"the signed screening's page answered {status}"
            return False
        status_path = reverse("checklist:screening-pdf-status", args=[screening_id])
        delay = STATUS_FIRST_DELAY
        while time.monotonic() < deadline and not self.halt.is_set():
            self.halt.wait(delay)
            if self.halt.is_set():
                break
            status, _location, content = self.client.fetch("GET", status_path)
            state = json.loads(content).get("state") if status == 200 else None
            if state == "ready":
                return True
            if state != "pending":
                self.error = f"the PDF status answered {status} {state!r}"
                return False
            delay = min(delay * STATUS_BACKOFF, STATUS_MAX_DELAY)
        return False


def _unfinished_renders() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def _drain(worker) -> None:
    deadline = time.monotonic() + DRAIN_TIME_LIMIT
    while _unfinished_renders():
        if worker.poll() is not None:
            raise RuntimeError("db_worker exited; see its log in the benchmark folder")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the render queue did not drain within {DRAIN_TIME_LIMIT:g} s")
        time.sleep(0.25)
    connection.close()


@dataclass
class Phase:
    reads: list[float] = field(default_factory=list)
    signings: int = 0
    sign_times: list[float] = field(default_factory=list)
    short: int = 0  # phases where a loop stopped before the reader did (reads after that are dropped)


def _phase(reader: Http, page: str, signer: Http, pool, bodies, kind: PhaseKind, result: Phase) -> None:
    stop = threading.Event()
    workers = [SigningLoop(signer, pool, bodies, stop, kind.limit, until_pdf=kind.until_pdf) for _ in range(kind.loops)]
    for loop in workers:
        loop.start()
    try:
        for _ in range(READER_GETS):
            if any(not loop.is_alive() for loop in workers):
                result.short += 1
                break
            start = time.perf_counter()
            status, _location = reader.request("GET", page)
            elapsed = time.perf_counter() - start
            if status != 200:
                raise RuntimeError(f"clinician B's step page answered {status}")
            result.reads.append(elapsed)
            time.sleep(READER_PACE)
    finally:
        stop.set()
        for loop in workers:
            loop.join(timeout=LOOP_TIME_LIMIT + 60)
    for loop in workers:
        if loop.error:
            raise RuntimeError(loop.error)
        result.signings += len(loop.signed)
        result.sign_times += loop.times


def measure(load: SigningLoad, workdir: Path, port: int) -> tuple[dict[str, Phase], dict[str, int]]:
    from checklist.models import Screening

    bodies = {pk: consent_data(Screening.objects.get(pk=pk)) for pk in load.pool}
    pool: queue.SimpleQueue = queue.SimpleQueue()
    for pk in load.pool:
        pool.put(pk)
    connection.close()
    reader = Http(port, load.reader_session_key)
    signer = Http(port, load.signer_session_key)
    page = reverse("checklist:screening-step", args=[load.reader_draft_id, load.reader_section])
    results = {name: Phase() for name in PHASES}
    with gunicorn(port, WORKERS, workdir / "gunicorn-signing.log") as server, db_worker(workdir) as worker:
        wait_until_up(f"http://127.0.0.1:{port}{page}", reader.cookie, server)
        # Every worker process imports the app and compiles the checklist at its first requests.
        for _ in range(4 * WORKERS):
            reader.request("GET", page)
        warm = SigningLoop(signer, pool, bodies, threading.Event(), WARMUP_SIGNINGS)
        warm.run()
        if warm.error:
            raise RuntimeError(warm.error)
        shuffler = random.Random(7)
        for _ in range(ROUNDS):
            order = list(PHASES)
            shuffler.shuffle(order)
            for name in order:
                _drain(worker)
                _phase(reader, page, signer, pool, bodies, PHASES[name], results[name])
        _drain(worker)
    signed = Screening.objects.filter(pk__in=load.pool, status__in=Screening.LOCKED_STATUSES)
    counts = {
        "signed": signed.count(),
        "stored": sum(1 for s in signed if s.has_stored_pdf),
    }
    return results, counts


def rows(label: str, results: dict[str, Phase], counts: dict[str, int]) -> list[Row]:
    alone = p95(results["alone"].reads)
    out = []
    for name, kind in PHASES.items():
        if not kind.loops:
            continue
        phase = results[name]
        loaded = p95(phase.reads)
        note = (
            f"p95 {ms(loaded)} vs {ms(alone)} alone ({len(phase.reads)} / {len(results['alone'].reads)} GETs); "
            f"{phase.signings} signings, sign POST median {ms(statistics.median(phase.sign_times))}"
        )
        if phase.short:
            note += (
                f"; in {phase.short} of {ROUNDS} rounds a loop reached its {kind.limit} signings "
                "before B's last GET (later GETs not taken)"
            )
        out.append(
            Row(
                "7",
                f"{label}: another clinician's step page p95, while {_phase_label(name, kind)} / alone "
                f"(gunicorn {WORKERS} sync workers, db_worker rendering each PDF)",
                ratio(loaded / alone),
                f"<= {MAX_RATIO:g}x" if kind.target else "none set",
                loaded / alone <= MAX_RATIO if kind.target else None,
                note,
            )
        )
    out.append(
        Row(
            "7",
            f"{label}: screenings signed in the run / their PDFs stored by the worker",
            f"{counts['signed']} / {counts['stored']}",
            "equal",
            counts["signed"] == counts["stored"],
            f"pool of {POOL} awaiting signature",
        )
    )
    return out


def _phase_label(name: str, kind: PhaseKind) -> str:
    if kind.until_pdf:
        return f"{name} run (each from its POST until its PDF is stored, the page asking as the browser does)"
    return f"{name} of {MAX_SIGNINGS_PER_LOOP} consent POSTs back to back run (stress, PDFs queued behind)"


def run(clinic_id: int, workdir: Path, *, label: str, port_offset: int) -> list[Row]:
    load = signing_load(clinic_id, pool_size=POOL, password=PASSWORD)
    results, counts = measure(load, workdir, server_port(port_offset))
    return rows(label, results, counts)

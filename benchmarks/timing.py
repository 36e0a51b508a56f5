"""Side-by-side timing, and requests sent straight to Django's WSGI handler.

Requests go through ``WSGIHandler``, the same entry point gunicorn calls, with every middleware
and a real session cookie, but without ``django.test.Client``'s instrumentation (it copies the
context of every template rendered, which would tax template-heavy pages more than others).
"""

from __future__ import annotations

import io
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext

K = TypeVar("K")


def stop_process(process: subprocess.Popen, *, timeout: float) -> None:
    """Ask a server or worker the benchmark started to stop, and kill it if it does not in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@dataclass(frozen=True)
class Sample:
    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def interleaved(
    funcs: Mapping[K, Callable[[], object]], *, rounds: int, warmup: int = 1, seed: int = 7
) -> dict[K, Sample]:
    """Time every function once per round, in an order shuffled afresh every round.

    Shuffling spreads whatever the machine is doing (another job, a cache going cold) evenly over
    all the functions compared. A fixed or merely rotated order would not: whatever runs right
    after the heaviest function (the dashboard) would always pay for the garbage it leaves behind.
    The shuffle is seeded, so two runs time the same orders.
    """
    return interleaved_prepared(
        {name: _as_is(func) for name, func in funcs.items()}, rounds=rounds, warmup=warmup, seed=seed
    )


def _as_is(func: Callable[[], object]) -> Callable[[], Callable[[], object]]:
    """A preparer with nothing to prepare: the call to time is ``func`` itself."""
    return lambda: func


def interleaved_prepared(
    preparers: Mapping[K, Callable[[], Callable[[], object]]], *, rounds: int, warmup: int = 1, seed: int = 7
) -> dict[K, Sample]:
    """As :func:`interleaved`, for calls whose input is built first: each preparer returns the
    call to time, and only that call is timed. A form's data, for one, is in the browser before
    it is sent; building it is not the server's time."""
    names = list(preparers)
    for _ in range(warmup):
        for name in names:
            preparers[name]()()
    times: dict[K, list[float]] = {name: [] for name in names}
    shuffler = random.Random(seed)
    for _ in range(rounds):
        order = names[:]
        shuffler.shuffle(order)
        for name in order:
            call = preparers[name]()
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: Sample(tuple(values)) for name, values in times.items()}


class ResponseError(AssertionError):
    """A page answered something other than the expected status."""


class Browser:
    """A signed-in user's GET requests, handled in this process exactly as a WSGI server would."""

    def __init__(self, session_key: str) -> None:
        self.handler = WSGIHandler()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"

    def get(self, path: str, query: str = "", *, expect: int = 200) -> bytes:
        status: list[str] = []

        def start_response(status_line: str, headers, exc_info=None):
            status.append(status_line)

        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_COOKIE": self.cookie,
            "HTTP_USER_AGENT": "exosafe-bench",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
        code = int(status[0].split()[0])
        if code != expect:
            raise ResponseError(f"GET {path}?{query} answered {status[0]}, expected {expect}")
        return body

    def count_queries(self, path: str, query: str = "") -> tuple[int, list[str]]:
        """How many SQL statements one request runs (the request after a warm-up one)."""
        self.get(path, query)
        with CaptureQueriesContext(connection) as captured:
            self.get(path, query)
        return len(captured), [q["sql"] for q in captured.captured_queries]

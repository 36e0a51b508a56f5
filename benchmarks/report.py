"""The results table: one row per figure, with its target and whether it is met."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path


@dataclass(frozen=True)
class Row:
    part: str
    measure: str
    result: str
    target: str
    met: bool | None  # None: reported for reference, no target
    reference: str = ""

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**NO**", None: "-"}[self.met]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def table(rows: list[Row]) -> str:
    header = ["#", "Measure", "Result", "Target", "Met", "Absolute (for reference)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        cells = [row.part, row.measure, row.result, row.target, row.verdict, row.reference]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return "unknown RAM"


def _os() -> str:
    try:
        info = platform.freedesktop_os_release()
        return info.get("PRETTY_NAME", platform.platform())
    except OSError:
        return platform.platform()


def machine() -> list[str]:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    pango = _pango_version()
    return [
        f"CPU: {_cpu()}, {os.cpu_count()} cores; {_memory()}; load average at the end: {load}",
        f"OS: {_os()} ({platform.machine()}, kernel {platform.release()})",
        f"Python {platform.python_version()}, Django {version('django')}, WeasyPrint {version('weasyprint')}"
        f", Pango {pango}, gunicorn {version('gunicorn')}, SQLite {sqlite3.sqlite_version}",
    ]


def _pango_version() -> str:
    try:
        from weasyprint.text.ffi import harfbuzz_subset, pango

        n = pango.pango_version()
        subset = "with" if harfbuzz_subset is not None else "without"
        return f"{n // 10000}.{n // 100 % 100}.{n % 100} ({subset} libharfbuzz-subset)"
    except Exception:  # only a description: never fail the run for it
        return "?"


def document(rows: list[Row], *, notes: list[str], levers: list[str], elapsed: float) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    met = sum(1 for r in rows if r.met)
    targets = sum(1 for r in rows if r.met is not None)
    parts = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m benchmarks`); do not edit by hand, run it again.",
        f"Last run: {now}, {elapsed / 60:.1f} minutes; {met} of {targets} targets met.",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in machine()],
        "",
        "## Results",
        "",
        table(rows),
        "",
        "## How it is measured",
        "",
        *[f"- {note}" for note in notes],
        "",
        "## What keeps the pages within their targets",
        "",
        *[f"- {lever}" for lever in levers],
        "",
    ]
    return "\n".join(parts)

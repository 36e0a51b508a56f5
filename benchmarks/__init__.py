"""Benchmarks for ExoSafe, run by ``make bench`` (``python -m benchmarks``); never part of ``make test``.

Every figure is a ratio of two things measured side by side in the same run, interleaved, so
that the noise of a shared machine falls on both sides alike; the absolute medians are printed
for reference only. The run uses its own SQLite files under ``$EXOSAFE_BENCH_DIR`` (default
``/tmp/exosafe-bench``), never the developer's database.
"""

#!/usr/bin/env bash
# Run a command at the lowest CPU priority: the PDF worker (`make run`, the benchmarks). A render
# takes seconds of CPU; under Linux's SCHED_IDLE policy it runs only when the server's requests
# leave a core idle, so a clinician's page never waits behind it (docs/operations.md, "Running it").
# Where SCHED_IDLE is not available (not Linux, no chrt), the lowest niceness instead.
if command -v chrt >/dev/null 2>&1 && chrt --idle 0 true 2>/dev/null; then
    exec chrt --idle 0 "$@"
fi
exec nice -n 19 "$@"

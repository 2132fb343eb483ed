#!/usr/bin/env python
"""Time and peak memory of the PDF case summary: one summary, then 100 in a row.

    .venv/bin/python scripts/benchmark_pdf.py [--reference NRM-2026-0007] [--count 100] [--user national]

Runs against whatever DATABASE_URL names (by default the demo's SQLite, after `make run` or
`manage.py load_demo`). It renders exactly what /cases/<reference>/summary.pdf renders, but records
no download: a benchmark is not somebody reading the file.

Reported: wall time per summary, the peak of Python allocations during the renders (tracemalloc,
which also slows rendering down, so it is measured in a separate pass), and the process's peak
resident memory (ru_maxrss), which includes WeasyPrint's C libraries (Pango, HarfBuzz).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")


def rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference", help="the case to summarise (default: the demo case with the most history)"
    )
    parser.add_argument("--count", type=int, default=100, help="summaries in a row (default 100)")
    parser.add_argument("--user", default="national", help="who downloads (default: national)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced passes")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db.models import Count

    from cases.models import Case, User
    from monitoring import pdf, selectors

    user = User.objects.filter(username=args.user).first()
    if user is None:
        print(f"No user {args.user!r}: load the demo first (manage.py load_demo).", file=sys.stderr)
        return 2
    if args.reference:
        case = Case.objects.select_related("person", "organisation").get(reference=args.reference)
    else:
        busiest = Case.history.values("id").annotate(n=Count("history_id")).order_by("-n", "id").first()
        case = (
            Case.objects.select_related("person", "organisation")
            .filter(pk=busiest["id"] if busiest else None)
            .first()
        )
    if case is None:
        print("No case in the database: load the demo first (manage.py load_demo).", file=sys.stderr)
        return 2

    def render() -> bytes:
        summary = selectors.summary_for_case(case=case, user=user)
        return pdf.render_summary_pdf(summary)

    rss_start = rss_mb()
    started = time.perf_counter()
    content = render()
    first = time.perf_counter() - started
    rss_after_one = rss_mb()

    times = []
    for _n in range(args.count):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    rss_after_run = rss_mb()

    print(f"case {case.reference}, {len(content):,} bytes, database {django.db.connection.vendor}")
    print(
        f"one summary (cold):         {first:.3f} s   peak RSS {rss_after_one:.0f} MB (started at {rss_start:.0f} MB)"
    )
    if times:
        print(
            f"{args.count} summaries in a row:  {sum(times):.1f} s   "
            f"mean {statistics.mean(times):.3f} s, median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s   peak RSS {rss_after_run:.0f} MB"
        )

    if not args.no_tracemalloc:
        tracemalloc.start()
        render()
        _current, peak_one = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        traced = min(args.count, 100)
        for _n in range(traced):
            render()
        current, peak_run = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"Python allocations (tracemalloc): one summary peak {peak_one / 2**20:.1f} MB; "
            f"{traced} in a row peak {peak_run / 2**20:.1f} MB, still held after them {current / 2**20:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

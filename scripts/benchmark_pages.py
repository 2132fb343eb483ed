#!/usr/bin/env python
"""Time every page a user opens on a large database, against the database's own floor.

For each page of the table: the project's server time through Django's test client (the real
URL routing and middleware, a logged-in session), the median of --runs runs after one warm-up;
the number of queries of one run; the "floor", the median time of the hand-written SQL that reads
the same rows and the same exact count (where one is meaningful); and the ratio of the two.
It also times the daily enforcement job (rehabilitation.jobs.enforce_limits) and its idle rerun,
inside a transaction that is rolled back.

Run it on the database scripts/generate_scale_data.py filled (it picks its users and cases from
it); the pages record their reads in the read log, as they would for a person:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_scale \\
        nice -n 19 .venv/bin/python scripts/benchmark_pages.py [--runs 7] [--only cases]

See docs/performance.md for the numbers at a million cases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

LIST_COLUMNS = "c.id, c.reference, c.stage, c.victim_status, c.opened_on, c.risk_level, p.given_name, p.family_name, o.name"


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _floor_list(where: str, params: list, *, search: str | None = None) -> tuple[str, list]:
    """The rows of the first page of a case list and the exact count, hand-written."""
    extra = ""
    extra_params: list = []
    if search:
        extra = " AND p.search_name LIKE %s"
        extra_params = [f"%{search}%"]
    rows = (
        f"SELECT {LIST_COLUMNS} FROM cases_case c JOIN cases_person p ON p.id = c.person_id "
        f"JOIN cases_organisation o ON o.id = c.organisation_id WHERE {where}{extra} "
        "ORDER BY c.opened_on DESC, c.number DESC LIMIT 25"
    )
    count = (
        f"SELECT count(*) FROM cases_case c JOIN cases_person p ON p.id = c.person_id WHERE {where}{extra}"
    )
    return f"{rows}; {count}", [*params, *extra_params, *params, *extra_params]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="only the pages whose path or user contains this")
    parser.add_argument("--no-jobs", action="store_true", help="skip the enforcement job")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases.models import Case, CaseUserObjectPermission, User, normalise_name

    def user(name: str) -> User:
        return User.objects.get(username=name)

    caseworker = user("scale_cw_a_0")
    coordinator = user("scale_coord_a_0")
    national = user("scale_national_0")
    view_perm = (
        CaseUserObjectPermission.objects.filter(user=caseworker, permission__codename="view_case")
        .values_list("permission_id", flat=True)
        .first()
    )
    case = (
        Case.objects.filter(
            caseuserobjectpermission__user=caseworker, caseuserobjectpermission__permission_id=view_perm
        )
        .exclude(risk_level="high")
        .exclude(stage=Case.Stage.CLOSED)
        .select_related("person")
        .order_by("-opened_on", "-number")
        .first()
    )
    visible_count = CaseUserObjectPermission.objects.filter(user=caseworker, permission_id=view_perm).count()
    org_count = Case.objects.filter(organisation_id=coordinator.organisation_id).count()
    total = Case.objects.count()
    name = f"{case.person.given_name} {case.person.family_name}"
    needle = normalise_name(name)

    cw_where = "c.id IN (SELECT content_object_id FROM cases_caseuserobjectpermission WHERE user_id = %s AND permission_id = %s)"
    floors = {
        "caseworker": _floor_list(cw_where, [caseworker.pk, view_perm]),
        "coordinator": _floor_list("c.organisation_id = %s", [coordinator.organisation_id]),
        "national": _floor_list("TRUE", []),
    }
    search_floors = {
        "caseworker": _floor_list(cw_where, [caseworker.pk, view_perm], search=needle),
        "coordinator": _floor_list("c.organisation_id = %s", [coordinator.organisation_id], search=needle),
        "national": _floor_list("TRUE", [], search=needle),
    }
    users = {"caseworker": caseworker, "coordinator": coordinator, "national": national}
    labels = {
        "caseworker": f"caseworker ({visible_count:,} cases)",
        "coordinator": f"NGO coordinator ({org_count:,} cases)",
        "national": f"national ({total:,})",
    }
    from urllib.parse import quote

    pages: list[tuple[str, str, str, tuple | None]] = []
    for who in ("caseworker", "coordinator", "national"):
        pages.append(("/cases/", who, "/cases/", floors[who]))
    for who in ("caseworker", "coordinator", "national"):
        pages.append(("/cases/?q=<name>", who, f"/cases/?q={quote(name)}", search_floors[who]))
    for who in ("caseworker", "coordinator", "national"):
        pages.append(("/cases/<ref>/", who, f"/cases/{case.reference}/", None))
    pages.append(("/api/v1/cases/", "caseworker", "/api/v1/cases/", floors["caseworker"]))
    pages.append(("/referrals/", "coordinator", "/referrals/", None))
    for who in ("caseworker", "coordinator", "national"):
        pages.append(("/ dashboard", who, "/", None))
    for who in ("coordinator", "national"):
        pages.append(("/monitoring/", who, "/monitoring/", None))
    for who in ("coordinator", "national"):
        pages.append(("export.csv", who, "/monitoring/export.csv", None))
    pages.append(("summary.pdf", "coordinator", f"/cases/{case.reference}/summary.pdf", None))

    clients = {}
    for who, u in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(u)
        clients[who] = client

    def floor_ms(floor) -> float:
        sql, params = floor

        def run():
            with connection.cursor() as cur:
                for statement, n_params in _split(sql, params):
                    cur.execute(statement, n_params)
                    cur.fetchall()

        return _median_ms(run, args.runs)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{total:,} cases; case {case.reference}; search {name!r}; median of {args.runs}; load average {load}\n"
    )
    print("| page | user | project | queries | floor | ratio |")
    print("|---|---|---|---|---|---|")
    for label, who, path, floor in pages:
        if args.only and args.only not in path and args.only not in who and args.only not in label:
            continue
        client = clients[who]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            print(f"| `{label}` | {labels[who]} | HTTP {response.status_code} | | | |", flush=True)
            continue
        queries = len(captured.captured_queries)
        ms = _median_ms(lambda c=client, p=path: _consume(c.get(p)), args.runs)
        if floor:
            f = floor_ms(floor)
            print(
                f"| `{label}` | {labels[who]} | {ms:,.1f} ms | {queries} | {f:,.1f} ms | {ms / f:.1f} |",
                flush=True,
            )
        else:
            print(f"| `{label}` | {labels[who]} | {ms:,.1f} ms | {queries} | - | - |", flush=True)

    if not args.no_jobs and (not args.only or args.only in "enforce_limits"):
        from rehabilitation import jobs

        with transaction.atomic():
            t = time.perf_counter()
            jobs.enforce_limits()
            daily = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            jobs.enforce_limits()
            idle = (time.perf_counter() - t) * 1000
            transaction.set_rollback(True)
        print(
            f"| `enforce_limits` | daily / idle rerun | {daily:,.0f} / {idle:,.0f} ms | - | - | - |",
            flush=True,
        )


def _consume(response) -> None:
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def _split(sql: str, params: list):
    """The floor's statements, each with its own parameters."""
    out = []
    for statement in sql.split("; "):
        n = statement.count("%s")
        out.append((statement, params[:n]))
        params = params[n:]
    return out


if __name__ == "__main__":
    main()

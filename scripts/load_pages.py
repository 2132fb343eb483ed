#!/usr/bin/env python
"""Throughput of the case page and the case list under gunicorn as shipped, for logged-in caseworkers.

Starts gunicorn with the command line of the Dockerfile (3 sync workers, timeout 60) on a loopback
port, logs in --clients caseworkers of the database scripts/generate_scale_data.py filled (one
session each, made through Django's own login), and lets each client thread request its pages one
after another for --seconds (and never more than --max-requests in all). It prints requests per
second, the median and the 95th percentile of the response time and any non-200 answers, for the
login page (the stack without the database work), the case page and the case list. Then it stops
gunicorn. Loopback only, bounded in time and count: it stops by itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_scale \\
        nice -n 19 .venv/bin/python scripts/load_pages.py [--clients 12] [--seconds 20]

See docs/performance.md for the numbers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _sessions(count: int) -> list[tuple[str, list[str]]]:
    """(session cookie, the references of the caseworker's open cases) for `count` caseworkers."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from cases.models import Case, User

    out = []
    workers = User.objects.filter(username__startswith="scale_cw_").order_by("pk")[:count]
    for user in workers:
        refs = list(
            Case.objects.filter(
                caseuserobjectpermission__user=user,
                caseuserobjectpermission__permission__codename="view_case",
            )
            .exclude(risk_level="high")
            .order_by("-opened_on")
            .values_list("reference", flat=True)[:50]
        )
        client = Client()
        client.force_login(user)
        out.append((client.cookies[settings.SESSION_COOKIE_NAME].value, refs))
    return out


def _run(port: int, paths_for, clients: int, seconds: float, max_requests: int) -> dict:
    times: list[float] = []
    errors: dict[int | str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = [max_requests]

    def client(i: int) -> None:
        cookie, paths = paths_for(i)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path = paths[n % len(paths)]
            n += 1
            headers = {"Cookie": cookie} if cookie else {}
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
            elapsed = time.perf_counter() - t
            with lock:
                times.append(elapsed)
                if status != 200:
                    errors[status] = errors.get(status, 0) + 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    times.sort()
    return {
        "requests": len(times),
        "rps": len(times) / wall if wall else 0.0,
        "p50": statistics.median(times) * 1000 if times else 0.0,
        "p95": times[int(len(times) * 0.95) - 1] * 1000 if len(times) >= 20 else float("nan"),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--list-clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--workers", default="3", help="gunicorn --workers (the Dockerfile's: 3)")
    args = parser.parse_args()

    sessions = _sessions(max(args.clients, args.list_clients))
    if not sessions:
        sys.exit("No scale_cw_* caseworkers: run scripts/generate_scale_data.py first.")
    port = _free_port()
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    # The Dockerfile's command line, on the loopback.
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "trafficking_cms.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={args.workers}",
            "--timeout=60",
            "--error-logfile=-",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        runs = [
            ("login page (no database work)", args.clients, lambda i: ("", ["/accounts/login/"])),
            (
                "case page",
                args.clients,
                lambda i: (
                    f"sessionid={sessions[i % len(sessions)][0]}",
                    [f"/cases/{r}/" for r in sessions[i % len(sessions)][1]],
                ),
            ),
            (
                "case list",
                args.list_clients,
                lambda i: (f"sessionid={sessions[i % len(sessions)][0]}", ["/cases/", "/cases/?page=2"]),
            ),
        ]
        print(f"gunicorn --workers={args.workers} on {HOST}:{port}; {args.seconds:.0f} s per run\n")
        print("| run | clients | requests | req/s | p50 | p95 | not 200 |")
        print("|---|---|---|---|---|---|---|")
        for label, clients, paths_for in runs:
            _run(port, paths_for, clients, min(3.0, args.seconds), 200)  # warm-up
            r = _run(port, paths_for, clients, args.seconds, args.max_requests)
            print(
                f"| {label} | {clients} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} ms | "
                f"{r['p95']:.0f} ms | {r['errors'] or '-'} |",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()

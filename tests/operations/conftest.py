"""Real parts that fail: our own Redis server (never the shared one), a mail server that refuses,
and a Celery worker process that can be killed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on its own port; stop() kills it, start() brings it back."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def point_celery_at(url: str) -> None:
    """Make the project's Celery app publish to `url` from now on (its pools are dropped)."""
    from trafficking_cms.celery import app

    # The write and read URLs were resolved from broker_url when the app was configured.
    for key in ("broker_url", "broker_write_url", "broker_read_url"):
        app.conf[key] = url
    # Dropped, not closed: kombu shares its pools between apps, and a closed one stays closed.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings):
    from trafficking_cms.celery import app

    previous = app.conf.broker_url
    server = RedisServer(free_port())
    server.start()
    settings.CELERY_BROKER_URL = server.url
    point_celery_at(server.url)
    yield server
    server.stop()
    point_celery_at(previous)


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, as smtplib does."""

    def send_messages(self, email_messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed: mail.example.invalid")


@pytest.fixture
def mail_server_down(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.operations.conftest.RefusingBackend"}}

    def back_up():
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    return back_up


def start_worker_process(*, broker_url: str, database_name: str, log: Path) -> subprocess.Popen:
    """A real `celery worker` process (prefork pool of one child: the child runs the tasks)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
            f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database_name}",
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "trafficking_cms.settings",
            "LOG_FORMAT": "text",
        }
    )
    # A parallel test worker publishes under its own key prefix (the root conftest.py); the
    # worker process listens under the same one, or it never sees the task.
    from trafficking_cms.celery import app

    prefix = (app.conf.broker_transport_options or {}).get("global_keyprefix")
    if prefix:
        env["CELERY_BROKER_KEYPREFIX"] = prefix
    else:
        env.pop("CELERY_BROKER_KEYPREFIX", None)
    handle = open(log, "wb")  # noqa: SIM115 - the worker writes to it for its whole life
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "trafficking_cms",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate, *, timeout: float = 60, step: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")

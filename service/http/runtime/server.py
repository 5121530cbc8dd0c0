"""Running the app under uvicorn: one process, or one worker per core on one port.

Why uvicorn's own supervisor (`uvicorn.supervisors.Multiprocess`) and not another server: the app
already runs on uvicorn, and its supervisor hands a listening socket to each spawned worker
(here one of its own per worker, see `Listeners`), restarts a worker that dies or hangs (it
pings each one), forwards SIGTERM and stops if a worker fails to start. Each worker calls
`worker_app` (an app factory, pickled with the settings), so each opens its own engine and its
own watch of the index root (see service/http/runtime/lifecycle.py for how a publish or a
reload reaches all of them). Gunicorn would add a second supervisor for the same
job, Hypercorn and Granian a second HTTP stack to harden.

Every process uses service/http/runtime/protocol.py (a deadline for request heads) and the same
graceful-shutdown bound, which is longer than the body deadline, so a held request is answered
408 and shutdown ends within RAG_BODY_TIMEOUT plus a few seconds.
"""

from __future__ import annotations

import functools
import logging
import socket
from dataclasses import replace
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from service.config import ConfigError, Settings, default_workers
from service.http.runtime.protocol import DeadlineH11Protocol

LOG_FORMAT = "%(levelname)s:     %(name)s: %(message)s"


class ServiceConfig(uvicorn.Config):
    """uvicorn's config plus the request-head deadline, which the protocol reads from it."""

    def __init__(self, app: Any, *, header_timeout: float, **options: Any) -> None:
        self.header_timeout = header_timeout
        super().__init__(app, **options)


class SocketClosingMultiprocess(Multiprocess):
    """uvicorn's supervisor, but SIGTERM/SIGINT close its copy of the listening socket first.

    The workers close theirs when they start shutting down; without this the supervisor's copy
    would keep accepting connections into the backlog that no worker will ever answer.
    """

    def _close_sockets(self) -> None:
        for sock in self.sockets:
            sock.close()

    def handle_term(self) -> None:
        self._close_sockets()
        super().handle_term()

    def handle_int(self) -> None:
        self._close_sockets()
        super().handle_int()


def configure_logging() -> None:
    """The service's loggers (rag.*) at INFO on stderr, in the supervisor and in each worker."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


def worker_app(settings: Settings) -> FastAPI:
    """The app factory each worker process calls: its own app, its own engine (at start-up)."""
    from service.http.app import create_app

    configure_logging()
    return create_app(settings)


def worker_settings(settings: Settings) -> Settings:
    """Each worker's share of the cores for ONNX Runtime, unless RAG_EMBED_THREADS sets it.

    ONNX Runtime's default is one thread per core in every process, so N workers would run N
    times as many spinning threads as there are cores.
    """
    if settings.workers > 1 and settings.embed_threads == 0:
        return replace(settings, embed_threads=max(1, default_workers() // settings.workers))
    return settings


def check_can_serve(settings: Settings) -> None:
    """Fail before binding anything: fitted models readable, and a watch if there are workers."""
    from service.engine import default_answerer

    default_answerer(settings)  # a missing or unreadable fitted model raises FittedModelError
    if settings.workers > 1 and settings.reload_interval == 0:
        raise ConfigError(
            f"RAG_RELOAD_INTERVAL=0 turns off the watch that carries a publish or an "
            f"/admin/reload to every worker; with {settings.workers} workers set it above 0 "
            "(default 0.5) or serve with --workers 1"
        )


def uvicorn_config(settings: Settings, app: Any, **options: Any) -> ServiceConfig:
    """The uvicorn configuration every way of serving shares (timeouts, protocol, logging);
    `options` add to or override uvicorn's own settings."""
    chosen: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": DeadlineH11Protocol,
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        "log_level": "info",
        # uvicorn's own access line holds the path with its query string (`/search?q=...`,
        # the page's `/?q=` links): off, so questions stay out of the log; the JSON line of
        # service/http/observability.py says what was served without them
        "access_log": settings.log_questions,
        **options,
    }
    return ServiceConfig(app, header_timeout=settings.header_timeout, **chosen)


class Listeners:
    """A listening socket of its own for each worker, all bound to one port with SO_REUSEPORT,
    so the kernel spreads new connections over the workers.

    With one shared socket, an idle worker's event loop accepts every pending connection at
    once: eight clients connecting together often all landed on one worker, which ran at 100%
    while the other idled (99 to 232 req/s from run to run, same code). Each worker's socket is
    made when the worker is, and the supervisor closes its copy once the worker has it, so a
    dead worker's socket leaves the group instead of queueing connections nobody accepts."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.host, self.port, self.backlog = config.host, config.port, config.backlog
        self.handed: list[socket.socket] = []

    @staticmethod
    def supported(config: uvicorn.Config) -> bool:
        return hasattr(socket, "SO_REUSEPORT") and config.uds is None and config.fd is None

    def _socket(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in (self.host or "") else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock

    def check_free(self) -> None:
        """OSError unless the port is free. Bound without SO_REUSEPORT, so a server already
        listening there with it (another `rag serve`) makes this fail, instead of the workers
        silently joining its group and sharing its connections."""
        with self._socket() as probe:
            probe.bind((self.host, self.port))

    def take(self) -> socket.socket:
        sock = self._socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.host, self.port))
        sock.listen(self.backlog)
        sock.set_inheritable(True)
        self.handed.append(sock)
        return sock

    def close_handed(self) -> None:
        """The supervisor's copies of sockets already given to started workers."""
        while self.handed:
            self.handed.pop().close()


class BalancedMultiprocess(SocketClosingMultiprocess):
    """The supervisor, handing each worker it starts (at start-up or as a replacement) a
    socket of its own from `Listeners`."""

    def __init__(self, config: uvicorn.Config, listeners: Listeners) -> None:
        self.listeners = listeners
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:  # read once per worker uvicorn creates
        return [self.listeners.take()]

    @sockets.setter
    def sockets(self, _value: list[socket.socket]) -> None:
        return None

    def _close_sockets(self) -> None:
        self.listeners.close_handed()

    def init_processes(self) -> None:
        super().init_processes()
        self.listeners.close_handed()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()
        self.listeners.close_handed()

    def restart_all(self) -> None:
        super().restart_all()
        self.listeners.close_handed()


def serve(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; returns the process exit status (uvicorn's 3: start failed)."""
    check_can_serve(settings)  # first: a refusal is then the only line printed
    configure_logging()
    if settings.workers == 1:
        from service.http.app import create_app

        server = uvicorn.Server(uvicorn_config(settings, create_app(settings)))
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    config = uvicorn_config(
        settings,
        functools.partial(worker_app, worker_settings(settings)),
        factory=True,
        workers=settings.workers,
    )
    if Listeners.supported(config) and config.port:
        listeners = Listeners(config)
        try:
            listeners.check_free()  # fail now, before any worker starts
        except OSError as error:
            logging.getLogger("rag.serve").error(
                "cannot listen on %s:%s: %s", config.host, config.port, error
            )
            return STARTUP_FAILURE
        logging.getLogger("rag.serve").info(
            "serving on http://%s:%d with %d workers", config.host, config.port, settings.workers
        )
        supervisor: Multiprocess = BalancedMultiprocess(config, listeners)
    else:
        supervisor = SocketClosingMultiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return STARTUP_FAILURE if failed else 0

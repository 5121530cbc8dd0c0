"""Ray for the service: `rag serve --ray --replicas N` and the glue of `rag index --ray`.

Serving deploys the same FastAPI app (service.http.app.create_app) as `rag serve`, N times, with Ray
Serve: each replica is built on its Ray worker by a builder function, so it opens its own engine in
the app's lifespan and loads the version `current` names in the index directory, exactly as a
uvicorn worker does. Replicas share nothing but that directory, and that is where publishing and
reloading already signal (service/http/runtime/lifecycle.py): each replica watches `current` and the
`.reload-requested` marker, so a publish, or one POST /admin/reload to any replica, reaches all of
them. On a cluster the index directory (RAG_INDEX_DIR) must be one shared file system path on every
node, and the corpus and cache too if replicas may build.

Ray is imported only when one of these runs; without the scale extra they fail with a clear
message.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from index.incremental import MakeParts
from index.ray_build import RayCluster, RayUnavailable, ray_parts_maker, start
from service.config import Settings
from service.indexing import embedder_config

DEPLOYMENT = "rag"


def ray_build_maker(settings: Settings, address: str | None) -> MakeParts:
    """The `make` that prepares and embeds on Ray for `rag index --ray [ADDRESS]`."""
    return ray_parts_maker(
        RayCluster(address), embedder_config(settings), settings.cache_dir / "embeddings.sqlite3"
    )


def replica_settings(settings: Settings, replicas: int, cpus: int) -> Settings:
    """Each replica's settings: its share of the cores for ONNX Runtime, as uvicorn workers
    get theirs, unless RAG_EMBED_THREADS says otherwise."""
    if settings.embed_threads:
        return settings
    return replace(settings, embed_threads=max(1, cpus // replicas))


def app_builder(settings: Settings) -> Callable[[], Any]:
    """A function Ray Serve calls on each replica to build the app there (a plain function:
    Ray Serve builds the app lazily only for functions)."""

    def build() -> Any:
        from service.http.app import create_app

        return create_app(settings)

    return build


def deploy(settings: Settings, replicas: int, address: str | None = None) -> Any:
    """Start (or join) Ray, start Serve on settings.host:port, and deploy `replicas` copies
    of the app; returns the Serve application handle once every replica is up."""
    if replicas < 1:
        raise ValueError(f"--replicas must be at least 1, got {replicas}")
    ray = start(RayCluster(address))
    try:
        from ray import serve
    except ImportError as error:
        raise RayUnavailable("Ray Serve is not installed; pip install -e '.[scale]'") from error
    cpus = max(int(ray.cluster_resources().get("CPU", 1)), 1)
    chosen = replica_settings(settings, replicas, cpus)
    serve.start(http_options={"host": settings.host, "port": settings.port})
    ingress = serve.deployment(
        serve.ingress(app_builder(chosen))(),
        name=DEPLOYMENT,
        num_replicas=replicas,
        ray_actor_options={"num_cpus": 0},  # a replica waits on I/O; ONNX threads are capped
        max_ongoing_requests=settings.query_concurrency * 8,
    )
    return serve.run(ingress.bind(), name=DEPLOYMENT, route_prefix="/")


def shutdown() -> None:
    """Remove the deployment and stop Serve and the Ray this process started or joined."""
    import ray
    from ray import serve

    serve.shutdown()
    ray.shutdown()


def serve_on_ray(settings: Settings, replicas: int, address: str | None = None) -> int:
    """`rag serve --ray`: deploy, then serve until SIGTERM or SIGINT."""
    deploy(settings, replicas, address)
    stop = threading.Event()
    for name in (signal.SIGTERM, signal.SIGINT):
        signal.signal(name, lambda *_: stop.set())
    print(
        f"serving {replicas} replicas on http://{settings.host}:{settings.port} "
        f"(Ray Serve, pid {os.getpid()})",
        flush=True,
    )
    stop.wait()
    shutdown()
    return 0

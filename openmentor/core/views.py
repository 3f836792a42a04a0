from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from openmentor.core.leases import stale_work, worker_alive
from openmentor.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _check(name: str, probe: Any) -> dict[str, Any]:
    try:
        detail = probe()
    except StaleWork as error:
        # Which work: a worker reclaims it within a minute, or a manager retries it.
        return {"ok": False, "error": "StaleWork", "stale": error.stale}
    except Exception as error:
        logger.warning("health check failed", extra={"check": name, "error": repr(error)})
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, **(detail or {})}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"healthz:{get_random_string(8)}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def roundtrip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned another message")

    async_to_sync(roundtrip)()


def _worker() -> dict[str, Any]:
    max_age = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    latest = WorkerHeartbeat.objects.order_by("-last_seen_at").first()
    if latest is None:
        raise RuntimeError("no worker has reported")
    age = (timezone.now() - latest.last_seen_at).total_seconds()
    recent = WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - max_age)
    # The database row is written once a minute; the lease beat (every few seconds, and
    # a vanished pid on this host) says which of them still live.
    alive = sum(
        1 for worker_id in recent.values_list("worker_id", flat=True) if worker_alive(worker_id)
    )
    if alive == 0:
        raise RuntimeError(f"no live worker (last heartbeat {age:.0f} s ago)")
    return {"workers": alive, "last_seen_s": round(age, 1)}


def _stale_work() -> dict[str, Any]:
    stale = stale_work()
    if stale:
        raise StaleWork(stale)
    return {}


class StaleWork(RuntimeError):
    def __init__(self, stale: dict[str, list[int]]) -> None:
        super().__init__("work whose worker is gone")
        self.stale = stale


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _check("database", _database),
        "cache": _check("cache", _cache),
        "channel_layer": _check("channel_layer", _channel_layer),
        "worker": _check("worker", _worker),
        "stale_work": _check("stale_work", _stale_work),
    }
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def _json_error(request: HttpRequest) -> bool:
    # Machine clients (the API, SCIM) get their error body, never an HTML page.
    return request.path.startswith(tuple(settings.JSON_ERROR_PATH_PREFIXES))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _json_error(request):
        return JsonResponse(
            {"error": {"code": "not_found", "message": "No such URL.", "details": []}},
            status=404,
        )
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _json_error(request):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "Something went wrong.", "details": []}},
            status=500,
        )
    # No context processors: the error may come from the database or a template.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)

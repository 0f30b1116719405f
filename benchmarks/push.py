"""push: websocket notification latency, from the commit that wrote the notification to the
moment a client holds the message, with `--sockets` sockets open on loopback.

The servers are the product's ASGI application under uvicorn. In each server a driver commits
notifications (the outbox path a transition takes: inbox row, delivery row, send after commit) to
randomly chosen connected people, one at a time, stamping each commit. The clients (another
process) stamp each receipt; both stamps read the same wall clock.
- embedded layer: one server, in-memory channel layer (what `scripts/run.sh` runs);
- redis layer: two servers on one Redis, sockets spread over both, so half the messages cross
  from the server that committed to the other one.
The baseline is the same round trip without Django or the database: a websocket ping/pong on the
same sockets.

    python -m benchmarks.push --db URL [--sockets 1000] [--messages 300] [--layer memory|redis]
"""

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- the server side -----------------------------------------------------------------------------


def serve(port: int, control: Path, index: int) -> None:
    """uvicorn with the product's application, plus the driver waiting for `control/go-<index>`."""
    import uvicorn

    from config.asgi import application

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            asyncio.get_running_loop().create_task(drive(control, index))
        return await application(scope, receive, send)

    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")


async def drive(control: Path, index: int) -> None:
    from asgiref.sync import sync_to_async

    go = control / f"go-{index}"
    while not go.exists():
        await asyncio.sleep(0.05)
    plan = json.loads(go.read_text())
    stamps = await sync_to_async(commit_all, thread_sensitive=False)(plan["users"], plan["gap"], index)
    # written whole, then renamed: the client polls for the file and must never read half of it
    partial = control / f"stamps-{index}.partial"
    partial.write_text(json.dumps(stamps))
    partial.replace(control / f"stamps-{index}")


def commit_all(users: list[int], gap: float, index: int) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from notifications.services import notify

    stamps: dict[str, float] = {}
    for n, user in enumerate(users):
        committed: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda c=committed: c.append(time.time()))  # runs first: the commit itself
            note = notify(
                users=[user], kind="assigned", lead_id=None, params={"lead_name": f"测速 {n}", "unit": "haidian"},
                key=f"bench:{index}:{n}", at=timezone.now(),
            )  # fmt: skip
        stamps[str(note[0].pk)] = committed[0]
        time.sleep(gap)  # one message at a time, as people act: latency, not a flood
    return stamps


# --- the client side -----------------------------------------------------------------------------


async def clients(ports: list[int], tokens: list[tuple[int, str]], control: Path, messages: int) -> dict:
    import websockets

    receipts: dict[str, float] = {}
    pongs: list[float] = []
    sockets = []
    for i, (user, token) in enumerate(tokens):
        port = ports[i % len(ports)]
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/notifications/", additional_headers={"Authorization": f"Token {token}"},
            max_queue=None, open_timeout=60,
        )  # fmt: skip
        first = json.loads(await ws.recv())
        assert first["type"] == "unread", first
        sockets.append((user, ws))

    async def listen(ws) -> None:  # type: ignore[no-untyped-def]
        async for raw in ws:
            received = time.time()
            message = json.loads(raw)
            if message["type"] == "notification":
                receipts[str(message["id"])] = received

    listeners = [asyncio.create_task(listen(ws)) for _, ws in sockets]
    # baseline: the round trip of the same sockets without the product (ws ping → pong frame)
    for _user, ws in random.sample(sockets, min(100, len(sockets))):
        t0 = time.time()
        await (await ws.ping())
        pongs.append((time.time() - t0) * 1000)
    everyone = [u for u, _ in sockets]
    for index, _port in enumerate(ports):
        # the committing server tells people on every server (with Redis, half live elsewhere)
        chosen = [random.choice(everyone) for _ in range(messages // len(ports))]
        (control / f"go-{index}").write_text(json.dumps({"users": chosen, "gap": 0.01}))
    deadline = time.time() + 120
    stamps: dict[str, float] = {}
    while time.time() < deadline:
        stamps = {}
        for index in range(len(ports)):
            f = control / f"stamps-{index}"
            if f.exists():
                stamps.update(json.loads(f.read_text()))
        if len(stamps) >= (messages // len(ports)) * len(ports) and all(k in receipts for k in stamps):
            break
        await asyncio.sleep(0.1)
    for task in listeners:
        task.cancel()
    for _, ws in sockets:
        await ws.close()
    latencies = [(receipts[k] - t) * 1000 for k, t in stamps.items() if k in receipts]
    return {"latencies": latencies, "lost": len(stamps) - len(latencies), "pongs": pongs}


def people(n: int) -> list[tuple[int, str]]:
    """n people of Haidian with API tokens (made in bulk)."""
    from django.contrib.auth import get_user_model

    from config.tokens import token_issue

    User = get_user_model()  # noqa: N806
    User.objects.bulk_create([User(username=f"push{i}", email=f"push{i}@example.org") for i in range(n)])
    from workflow import refcache

    refcache.bump()  # people written in bulk: renew the memories of recipients
    users = list(User.objects.filter(username__startswith="push").order_by("pk"))
    return [(u.pk, token_issue(user=u)[1]) for u in users]


def main() -> None:
    parser = common.arguments(
        __doc__, sockets=1000, messages=300, layer="memory", serve=0, index=0, control=""
    )
    a = parser.parse_args()
    raise_fd_limit()
    if a.serve:
        common.django_setup(a.db, REDIS_URL=os.environ.get("REDIS_URL", ""), CONN_MAX_AGE="600")
        serve(a.serve, Path(a.control), a.index)
        return
    common.django_setup(a.db)
    from tests.servers import RedisServer, free_port

    control = Path(tempfile.mkdtemp(prefix="push-", dir=common.BENCH_DIR))
    redis, servers = None, []
    try:
        if a.layer == "redis":
            redis = RedisServer(control)
            redis.start()
        redis_url = redis.url if redis else ""
        tokens = people(a.sockets)
        from django.db import connection

        connection.close()
        ports = [free_port() for _ in range(2 if a.layer == "redis" else 1)]
        for i, port in enumerate(ports):
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.push",
                        "--db",
                        a.db,
                        "--layer",
                        a.layer,
                        "--serve",
                        str(port),
                        "--index",
                        str(i),
                        "--control",
                        str(control),
                    ],
                    cwd=common.ROOT,
                    env=common.process_env(a.db, REDIS_URL=redis_url),
                    stdout=subprocess.DEVNULL,
                    stderr=(control / f"server-{i}.log").open("w"),  # shutdown noise stays out of the figures
                )  # fmt: skip
            )
        for port in ports:
            wait_for(port)
        figures = asyncio.run(clients(ports, tokens, control, a.messages))
    finally:
        stop(servers)
        if redis:
            redis.stop()
    lat, pongs = figures["latencies"], figures["pongs"]
    assert not figures["lost"], f"{figures['lost']} notifications never arrived"
    name = "embedded" if a.layer == "memory" else "Redis, 2 servers"
    extra = {"sockets": a.sockets, "messages": len(lat)}
    common.result(f"push {name} p50", common.median(lat), "ms", common.median(pongs), **extra)
    common.result(f"push {name} p95", common.percentile(lat, 95), "ms", common.percentile(pongs, 95), **extra)


def stop(servers: list[subprocess.Popen]) -> None:
    """Servers get the usual SIGTERM; one that has not finished its graceful shutdown in 10 s is
    killed, so a slow shutdown never holds the run (the figures are taken by then)."""
    for s in servers:
        s.terminate()
    for s in servers:
        try:
            s.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print("# a server ignored SIGTERM for 10 s; killed", flush=True)
            s.kill()
            s.wait()


def wait_for(port: int) -> None:
    import socket

    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


if __name__ == "__main__":
    main()

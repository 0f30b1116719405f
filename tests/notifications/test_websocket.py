"""Live push over /ws/notifications/ with channels' test client, on the in-memory and the Redis layer."""

from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.tokens import token_issue
from tests.helpers import at
from workflow.due import process_due

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def app():  # type: ignore[no-untyped-def]
    from config.asgi import router

    return router


async def connect(user=None, *, token=True, path="/ws/notifications/", lang="zh-hans", origin=None):  # type: ignore[no-untyped-def]
    headers = [(b"accept-language", lang.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if user is not None and token:
        key = (await database_sync_to_async(token_issue)(user=user))[1]
        headers.append((b"authorization", f"Token {key}".encode()))
    communicator = WebsocketCommunicator(app(), path, headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def drain(communicator, timeout=0.5):  # type: ignore[no-untyped-def]
    """Every message that arrives until the socket has been quiet for `timeout` seconds."""
    messages = []
    while not await communicator.receive_nothing(timeout=timeout):
        messages.append(await communicator.receive_json_from())
    return messages


async def negotiating(make_negotiating):  # type: ignore[no-untyped-def]
    return await database_sync_to_async(make_negotiating)(now=at("2026-11-30 09:00"))


async def warn():  # type: ignore[no-untyped-def]
    report = await database_sync_to_async(process_due)(
        now=at("2027-01-31 09:00")
    )  # 30 days before 03-02 00:00
    assert report.warnings == 1


async def the_right_user_alone_receives_a_warning_from_process_due(
    make_negotiating, haidian_leader, shunyi_leader
):
    lead = await negotiating(make_negotiating)
    mine, ok_mine = await connect(haidian_leader)
    theirs, ok_theirs = await connect(shunyi_leader)
    assert ok_mine and ok_theirs
    assert await mine.receive_json_from() == {
        "type": "unread",
        "count": 1,
    }  # "confirmed as first-negotiation unit"
    assert await theirs.receive_json_from() == {"type": "unread", "count": 0}
    await warn()
    received = await drain(mine, timeout=2)
    assert [(m["type"], m["kind"], m["lead"]) for m in received] == [
        ("notification", "clock_warning", lead.pk)
    ]
    assert "还有 30 天" in received[0]["text"]
    assert set(received[0]) == {"type", "id", "kind", "lead", "text", "created_at"}
    assert await drain(theirs) == []
    await mine.disconnect()
    await theirs.disconnect()


async def test_in_memory_layer_pushes_to_the_right_user_only(
    in_memory_layer, make_negotiating, haidian_leader, shunyi_leader
):
    await the_right_user_alone_receives_a_warning_from_process_due(
        make_negotiating, haidian_leader, shunyi_leader
    )


async def test_redis_layer_pushes_to_the_right_user_only(
    redis_layer, make_negotiating, haidian_leader, shunyi_leader
):
    await the_right_user_alone_receives_a_warning_from_process_due(
        make_negotiating, haidian_leader, shunyi_leader
    )


async def test_the_redis_layer_reads_without_a_timeout(redis_layer):
    """redis-py 8 times reads out after 5 s by default, and channels-redis blocks 5 s in BZPOPMIN
    waiting for a message: every idle consumer died (the push benchmark lost notifications), and
    servers took long to shut down. The layer must read without a timeout."""
    from channels.layers import get_channel_layer
    from channels_redis.utils import create_pool

    layer = get_channel_layer()
    pool = create_pool(layer.hosts[0])
    assert pool.connection_kwargs["socket_timeout"] is None
    await layer.send("probe", {"type": "probe"})  # and the configuration does reach Redis
    assert await layer.receive("probe") == {"type": "probe"}
    await pool.disconnect()


async def test_an_anonymous_socket_is_refused_at_the_handshake(in_memory_layer):
    """Closed before it is accepted: a server answers the handshake with HTTP 403 (tests/test_security.py
    shows it on uvicorn); channels' test client reports it as not connected, close code 1000."""
    communicator, connected = await connect(None)
    assert not connected
    for header in (b"Token nope", b"Token", b"Token a b"):
        communicator2 = WebsocketCommunicator(
            app(), "/ws/notifications/", headers=[(b"authorization", header)]
        )
        assert await communicator2.connect() == (False, 1000)


async def test_an_expired_token_is_refused(in_memory_layer, haidian_leader):
    now = at("2026-12-01 09:00")
    with time_machine.travel(now, tick=False):
        key = (await database_sync_to_async(token_issue)(user=haidian_leader))[1]
    with time_machine.travel(now + timedelta(days=31), tick=False):
        socket = WebsocketCommunicator(
            app(), "/ws/notifications/", headers=[(b"authorization", f"Token {key}".encode())]
        )
        assert (await socket.connect())[0] is False


async def test_a_token_from_before_a_password_change_is_refused(in_memory_layer, haidian_leader):
    key = (await database_sync_to_async(token_issue)(user=haidian_leader))[1]

    def change_password() -> None:
        haidian_leader.set_password("a-new-password-for-2027")
        haidian_leader.save()

    await database_sync_to_async(change_password)()
    socket = WebsocketCommunicator(
        app(), "/ws/notifications/", headers=[(b"authorization", f"Token {key}".encode())]
    )
    assert (await socket.connect())[0] is False


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "https://localhost.evil.example", "file://"]
)
async def test_a_handshake_from_a_foreign_origin_is_refused_before_anything_else(
    in_memory_layer, haidian_leader, origin
):
    communicator, connected = await connect(haidian_leader, origin=origin)
    assert not connected


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000", "https://localhost", None])
async def test_a_handshake_from_an_allowed_host_or_without_an_origin_is_let_in(
    in_memory_layer, haidian_leader, origin
):
    """Browsers always send Origin; clients without one (integrations, scripts) carry no one's cookie."""
    communicator, connected = await connect(haidian_leader, origin=origin)
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread", "count": 0}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "after", ["²", "1" * 5000, "-1", "", "1e3", "0x10", "%FF", "%C2%B2", "99999999999999999999"]
)
async def test_a_junk_after_value_is_ignored_and_the_socket_stays_open(
    in_memory_layer, make_negotiating, haidian_leader, after
):
    await negotiating(make_negotiating)
    communicator, connected = await connect(haidian_leader, path=f"/ws/notifications/?after={after}")
    assert connected
    assert await drain(communicator) == [{"type": "unread", "count": 1}]  # no catch-up, no close
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_created_at_is_in_beijing_time_as_in_the_api(in_memory_layer, make_negotiating, haidian_leader):
    await negotiating(make_negotiating)
    communicator, _ = await connect(haidian_leader, path="/ws/notifications/?after=0")
    received = await drain(communicator)
    assert received[1]["created_at"].endswith("+08:00")
    await communicator.disconnect()


async def test_a_session_cookie_authenticates_a_browser(in_memory_layer, haidian_leader):
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(haidian_leader)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    headers = [(b"cookie", cookie), (b"origin", b"http://127.0.0.1:8000")]
    communicator = WebsocketCommunicator(app(), "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread", "count": 0}
    await communicator.disconnect()


async def test_a_reconnecting_client_catches_up_in_its_language(
    in_memory_layer, make_negotiating, haidian_leader
):
    lead = await negotiating(make_negotiating)
    await warn()  # nobody is connected: the pushes reach no one
    ids = await database_sync_to_async(
        lambda: list(haidian_leader.notifications.order_by("id").values_list("id", flat=True))
    )()
    communicator, _ = await connect(haidian_leader, path=f"/ws/notifications/?after={ids[0] - 1}", lang="en")
    received = await drain(communicator)
    assert received[0] == {"type": "unread", "count": len(ids)}
    assert [m["id"] for m in received[1:]] == ids
    assert received[-1]["lead"] == lead.pk and "30 days left" in received[-1]["text"]
    await communicator.disconnect()

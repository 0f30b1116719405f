"""Live push over /ws/notifications/ with channels' test client, on the in-memory and the Redis layer."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from tests.helpers import at
from workflow.due import process_due

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def app():  # type: ignore[no-untyped-def]
    from config.asgi import router

    return router


async def connect(user=None, *, token=True, path="/ws/notifications/", lang="zh-hans"):  # type: ignore[no-untyped-def]
    headers = [(b"accept-language", lang.encode())]
    if user is not None and token:
        key = (await database_sync_to_async(Token.objects.get_or_create)(user=user))[0].key
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
    report = await database_sync_to_async(process_due)(now=at("2027-01-29 09:00"))
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


async def test_an_anonymous_socket_is_refused(in_memory_layer):
    communicator, connected = await connect(None)
    assert not connected
    communicator2 = WebsocketCommunicator(
        app(), "/ws/notifications/", headers=[(b"authorization", b"Token nope")]
    )
    connected2, code = await communicator2.connect()
    assert (connected2, code) == (False, 4401)


async def test_a_session_cookie_authenticates_a_browser(in_memory_layer, haidian_leader):
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(haidian_leader)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(app(), "/ws/notifications/", headers=[(b"cookie", cookie)])
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

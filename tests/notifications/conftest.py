import pytest
from channels.layers import channel_layers


@pytest.fixture
def in_memory_layer(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The embedded mode: the in-memory layer, and this test process plays the server."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    monkeypatch.setattr("notifications.transports.IN_SERVER", True)
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def redis_layer(settings, redis_server):  # type: ignore[no-untyped-def]
    from config.settings import redis_channel_layer

    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_server.url)}  # what production runs
    channel_layers.backends.clear()
    yield redis_server
    channel_layers.backends.clear()

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
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }
    channel_layers.backends.clear()
    yield redis_server
    channel_layers.backends.clear()

import pytest
from hypothesis import HealthCheck, settings

# A loaded machine (CI, two suites at once) must not fail a law for drawing slowly: the laws
# test what the code does, never how fast.
settings.register_profile("unhurried", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("unhurried")


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"debug": True}), id="asyncio"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request):
    return request.param


@pytest.fixture(autouse=True)
def _verify_incremental_checkpoints(monkeypatch):
    """Every checkpoint the engine builds incrementally is checked against one built whole."""
    from langgraph_lite.pregel import checkpointing

    monkeypatch.setattr(checkpointing, "VERIFY", True)

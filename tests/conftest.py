import pytest


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

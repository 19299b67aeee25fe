"""Savers store what changed since the previous checkpoint, and hand out the same state.

The engine builds each checkpoint from the previous one: unchanged ``versions_seen`` entries are
the same dict objects, list channels (messages, ``operator.add``) grow at the end. Savers use
that to store less; these tests check they never give back anything but what was put, whatever
the caller does to its objects in between. Run against every saver, sync and async, as
``test_savers.py``.
"""

from typing import Any

import pytest
from test_savers import SAVERS, AsyncApi, SyncApi, checkpoint, thread

pytestmark = pytest.mark.anyio


@pytest.fixture(params=SAVERS)
def saver(request, tmp_path):
    with request.param(tmp_path) as made:
        yield made


@pytest.fixture(params=[SyncApi, AsyncApi], ids=["sync", "async"])
def api(request, saver):
    return request.param(saver)


def skeleton(found: Any) -> dict[str, Any]:
    return {k: v for k, v in found.checkpoint.items() if k != "channel_values"}


def loop_meta(step: int) -> dict[str, Any]:
    return {"source": "loop", "step": step, "parents": {}}


async def test_a_seen_entry_shared_with_the_previous_put_and_changed_in_place_is_saved_as_it_is(
    api,
):
    first = checkpoint({"a": 1}, {"a": "1"})
    first["versions_seen"] = {"x": {"a": "1"}, "y": {"a": "1"}}
    c1 = await api.put(thread(), first, loop_meta(0), {"a": "1"})

    second = checkpoint({"a": 2}, {"a": "2"})
    # the same inner dicts as the first put, one of them changed in place since
    second["versions_seen"] = dict(first["versions_seen"])
    second["versions_seen"]["x"]["a"] = "2"
    c2 = await api.put(c1, second, loop_meta(1), {"a": "2"})

    assert (await api.get_tuple(c1)).checkpoint["versions_seen"] == {
        "x": {"a": "1"},
        "y": {"a": "1"},
    }
    assert (await api.get_tuple(c2)).checkpoint["versions_seen"] == {
        "x": {"a": "2"},
        "y": {"a": "1"},
    }


async def test_a_skeleton_changed_after_put_or_get_is_not_changed_in_the_saver(api):
    cp = checkpoint({"a": 1}, {"a": "1"})
    cp["versions_seen"] = {"x": {"a": "1"}}
    config = await api.put(thread(), cp, loop_meta(0), {"a": "1"})
    saved = {k: v for k, v in cp.items() if k != "channel_values"}
    expected = {
        "v": saved["v"],
        "id": saved["id"],
        "ts": saved["ts"],
        "channel_versions": {"a": "1"},
        "versions_seen": {"x": {"a": "1"}},
        "updated_channels": ["a"],
    }
    cp["channel_versions"]["a"] = "9"
    cp["versions_seen"]["x"]["a"] = "9"
    cp["updated_channels"].append("b")
    got = await api.get_tuple(config)
    assert skeleton(got) == expected

    got.checkpoint["channel_versions"]["a"] = "7"
    got.checkpoint["versions_seen"]["x"]["b"] = "7"
    got.checkpoint["updated_channels"].clear()
    assert skeleton(await api.get_tuple(config)) == expected
    assert [skeleton(t) for t in await api.list(thread())] == [expected]


async def test_a_node_dropped_from_versions_seen_is_dropped_from_the_saved_checkpoint(api):
    first = checkpoint({"a": 1}, {"a": "1"})
    first["versions_seen"] = {"x": {"a": "1"}, "y": {"a": "1"}}
    c1 = await api.put(thread(), first, loop_meta(0), {"a": "1"})
    second = checkpoint({"a": 1}, {"a": "1"})
    second["versions_seen"] = {"y": first["versions_seen"]["y"]}
    c2 = await api.put(c1, second, loop_meta(1), {})
    assert (await api.get_tuple(c2)).checkpoint["versions_seen"] == {"y": {"a": "1"}}

"""StreamChannel: one reader, bound to one lane, pumped by its reader, fanned out by tee."""

import pytest

from langgraph_lite.stream import StreamChannel
from langgraph_lite.stream._mux import StreamMux


def _bound(is_async=False, name=None):
    channel = StreamChannel(name)
    channel._bind(is_async=is_async)
    return channel


def test_an_unbound_channel_refuses_readers_and_says_where_it_belongs():
    with pytest.raises(TypeError, match="has not been bound to a run yet"):
        iter(StreamChannel())


def test_a_sync_channel_refuses_async_for_and_the_other_way_round():
    with pytest.raises(TypeError, match="bound to sync mode"):
        aiter(_bound(is_async=False))
    with pytest.raises(TypeError, match=r"bound to async mode.*async for"):
        iter(_bound(is_async=True))


def test_a_channel_has_one_reader_and_names_tee_as_the_way_to_have_more():
    channel = _bound(name="scores")
    iter(channel)
    with pytest.raises(RuntimeError, match=r"'scores' already has a subscriber.*\.tee\(n\)"):
        iter(channel)


def test_binding_twice_is_refused():
    with pytest.raises(RuntimeError, match="already bound"):
        _bound()._bind(is_async=False)


def test_maxlen_must_be_positive():
    with pytest.raises(ValueError, match="positive int"):
        StreamChannel(maxlen=0)


def test_items_pushed_before_anyone_reads_are_not_kept():
    channel = _bound()
    channel.push(1)
    reader = iter(channel)
    channel.push(2)
    channel.close()
    assert list(reader) == [2]


def test_a_reader_pumps_when_empty_and_stops_when_the_pump_has_nothing():
    channel = _bound()
    feed = iter([10, 20])

    def pump():
        item = next(feed, None)
        if item is None:
            return False
        channel.push(item)
        return True

    channel._request_more = pump
    assert list(channel) == [10, 20]


def test_a_failed_channel_gives_its_items_then_raises():
    channel = _bound()
    reader = iter(channel)
    channel.push("a")
    channel.fail(ValueError("boom"))
    assert next(reader) == "a"
    with pytest.raises(ValueError, match="boom"):
        next(reader)


def test_pushing_to_a_closed_subscribed_channel_is_refused():
    channel = _bound(name="x")
    iter(channel)
    channel.close()
    with pytest.raises(RuntimeError, match="Cannot push to a closed StreamChannel"):
        channel.push(1)


def test_tee_gives_every_branch_every_item():
    channel = _bound()
    left, right = channel.tee(2)
    for i in range(3):
        channel.push(i)
    channel.close()
    assert list(left) == [0, 1, 2]
    assert list(right) == [0, 1, 2]
    with pytest.raises(ValueError, match="n >= 1"):
        _bound().tee(0)


@pytest.mark.anyio
async def test_atee_gives_every_branch_every_item_and_the_error():
    channel = _bound(is_async=True)
    left, right = channel.atee(2)
    channel.push("a")
    channel.fail(KeyError("gone"))
    assert [x async for x in _until_error(left)] == ["a", "KeyError"]
    assert [x async for x in _until_error(right)] == ["a", "KeyError"]


async def _until_error(branch):
    try:
        async for item in branch:
            yield item
    except KeyError:
        yield "KeyError"


def test_a_named_channel_forwards_into_the_main_log_even_without_a_reader():
    from langgraph_lite.stream import StreamTransformer

    class Scores(StreamTransformer):
        def init(self):
            self.out = StreamChannel("scores")
            return {"scores": self.out}

        def process(self, event):
            self.out.push(event["params"]["data"] * 2)
            return True

    mux = StreamMux(factories=[Scores])
    log = iter(mux._events)
    mux.push(
        {
            "type": "event",
            "method": "values",
            "params": {"namespace": [], "timestamp": 0, "data": 21},
        }
    )
    mux.close()
    events = list(log)
    assert [(e["seq"], e["method"], e["params"]["data"]) for e in events] == [
        (1, "custom:scores", 42),
        (2, "values", 21),
    ]

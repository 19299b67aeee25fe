"""StreamMux: registration rules, the order of the main log, vetoes, the two lanes, and work a
transformer schedules (asyncio tasks; trio: run at the end of the run)."""

import logging

import anyio
import pytest

from langgraph_lite.stream import StreamChannel, StreamTransformer
from langgraph_lite.stream._mux import StreamMux
from langgraph_lite.stream._types import ScheduledCoroutine, transformer_requires_async


def _event(method="values", data=None, ns=()):
    return {
        "type": "event",
        "method": method,
        "params": {"namespace": list(ns), "timestamp": 0, "data": data},
    }


class Recorder(StreamTransformer):
    seen: list

    def init(self):
        self.seen = []
        return {}

    def process(self, event):
        self.seen.append(event["params"]["data"])
        return True


def test_before_builtins_transformers_see_events_first_whatever_their_place():
    order = []

    def named(label, early=False):
        class T(StreamTransformer):
            before_builtins = early

            def init(self):
                return {}

            def process(self, event):
                order.append(label)
                return True

        return T

    mux = StreamMux(factories=[named("builtin"), named("redactor", early=True), named("user")])
    mux.push(_event())
    assert order == ["redactor", "builtin", "user"]


def test_a_transformer_returning_false_keeps_the_event_out_of_the_log_but_others_see_it():
    class Veto(StreamTransformer):
        def init(self):
            return {}

        def process(self, event):
            return event["method"] != "secret"

    mux = StreamMux(factories=[Veto, Recorder])
    log = iter(mux._events)
    mux.push(_event("secret", 1))
    mux.push(_event("values", 2))
    mux.close()
    assert [(e["seq"], e["params"]["data"]) for e in log] == [(1, 2)]
    assert mux._transformers[1].seen == [1, 2]


def test_projection_keys_that_collide_are_refused_naming_the_owner():
    class A(StreamTransformer):
        def init(self):
            return {"shared": StreamChannel()}

        def process(self, event):
            return True

    class B(A):
        pass

    with pytest.raises(ValueError, match=r"B\.init\(\).*conflict.*'shared' \(owned by A\)"):
        StreamMux(factories=[A, B])


def test_init_must_return_a_dict():
    class Bad(StreamTransformer):
        def init(self):
            return ["values"]

        def process(self, event):
            return True

    with pytest.raises(TypeError, match=r"Bad\.init\(\) must return a dict.*list"):
        StreamMux(factories=[Bad])


class AsyncOnly(StreamTransformer):
    def init(self):
        return {}

    async def aprocess(self, event):
        return True


class AsyncButSyncToo(AsyncOnly):
    supports_sync = True

    def process(self, event):
        return True


class Schedules(StreamTransformer):
    requires_async = True

    def init(self):
        return {}

    def process(self, event):
        return True


def test_async_only_transformers_are_refused_on_the_sync_lane_with_the_fix():
    assert transformer_requires_async(AsyncOnly())
    assert transformer_requires_async(Schedules())
    assert not transformer_requires_async(AsyncButSyncToo())
    with pytest.raises(RuntimeError, match=r"AsyncOnly requires an async run.*astream_events"):
        StreamMux(factories=[AsyncOnly])
    StreamMux(factories=[AsyncButSyncToo])  # allowed
    StreamMux(factories=[AsyncOnly], is_async=True)  # allowed


def test_a_transformer_without_process_fails_loudly():
    class Lazy(StreamTransformer):
        def init(self):
            return {}

    mux = StreamMux(factories=[Lazy])
    with pytest.raises(NotImplementedError, match="Lazy implements neither"):
        mux.push(_event())


def test_close_finalizes_everyone_then_raises_the_first_error():
    calls = []

    class Breaks(StreamTransformer):
        def init(self):
            self.out = StreamChannel()
            return {"out": self.out}

        def process(self, event):
            return True

        def finalize(self):
            calls.append("breaks")
            raise RuntimeError("finalize broke")

    class Fine(Breaks):
        def init(self):
            return {}

        def finalize(self):
            calls.append("fine")

    mux = StreamMux(factories=[Breaks, Fine])
    with pytest.raises(RuntimeError, match="finalize broke"):
        mux.close()
    assert calls == ["breaks", "fine"]
    assert mux.extensions["out"]._closed and mux._events._closed


def test_child_muxes_need_factories_and_do_not_number_events():
    with pytest.raises(RuntimeError, match="factories="):
        StreamMux([Recorder()])._make_child(("sub:1",))
    child = StreamMux(factories=[Recorder])._make_child(("sub:1",))
    log = iter(child._events)
    event = _event()
    child.push(event)
    child.close()
    assert "seq" not in event
    assert list(log) == [event]


def test_schedule_outside_an_event_loop_says_to_use_astream_events():
    async def work():
        pass

    with pytest.raises(RuntimeError, match=r"requires a running event loop.*requires_async"):
        Schedules().schedule(work())


class Scorer(StreamTransformer):
    """Scores each event in scheduled work, pushing results on a named channel."""

    requires_async = True
    on_error = "log"

    def init(self):
        self.scores = StreamChannel("scores")
        self.finalized_after = None
        return {"scores": self.scores}

    def process(self, event):
        data = event["params"]["data"]

        async def score():
            await anyio.sleep(0)
            if data == "bad":
                raise ValueError("cannot score")
            self.scores.push(data * 10)

        self.handle = self.schedule(score(), on_error=self.on_error)
        return True

    async def afinalize(self):
        self.finalized_after = self.handle.done()


@pytest.mark.anyio
async def test_scheduled_work_finishes_before_afinalize_and_lands_in_the_log(anyio_backend):
    mux = StreamMux(factories=[Scorer], is_async=True)
    log = aiter(mux._events)
    await mux.apush(_event(data=1))
    await mux.apush(_event(data=2))
    await mux.aclose()
    got = sorted(
        e["params"]["data"] for e in [x async for x in log] if e["method"] == "custom:scores"
    )
    assert got == [10, 20]
    scorer = mux._transformers[0]
    assert scorer.finalized_after is True
    if anyio_backend[0] == "trio":
        assert isinstance(scorer.handle, ScheduledCoroutine)
        assert scorer.handle.result() is None


@pytest.mark.anyio
async def test_scheduled_work_that_fails_is_logged_by_default(caplog):
    mux = StreamMux(factories=[Scorer], is_async=True)
    with caplog.at_level(logging.ERROR):
        await mux.apush(_event(data="bad"))
        await mux.aclose()
    assert "scheduled by a StreamTransformer failed" in caplog.text


@pytest.mark.anyio
async def test_scheduled_work_with_on_error_raise_fails_the_close():
    class Raising(Scorer):
        on_error = "raise"

    mux = StreamMux(factories=[Raising], is_async=True)
    await mux.apush(_event(data="bad"))
    with pytest.raises(ValueError, match="cannot score"):
        await mux.aclose()


@pytest.mark.anyio
async def test_afail_drops_scheduled_work_and_fails_the_channels():
    mux = StreamMux(factories=[Scorer], is_async=True)
    await mux.apush(_event(data=1))
    await mux.afail(KeyError("run broke"))
    assert mux._transformers[0].handle.done()
    assert isinstance(mux.extensions["scores"]._error, KeyError)
    with pytest.raises(KeyError):
        [x async for x in mux._events]


@pytest.mark.anyio
async def test_schedule_rejects_an_unknown_on_error():
    async def work():
        pass

    with pytest.raises(ValueError, match="on_error"):
        Schedules().schedule(work(), on_error="ignore")

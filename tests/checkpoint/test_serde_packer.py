"""MsgpackSerde reuses one msgpack packer per thread: the bytes must not depend on what the
packer encoded before (a failure half way, a large value, another thread)."""

import threading

import pytest

from langgraph_lite.checkpoint.serde import MsgpackSerde


class Opaque:
    pass


def test_an_encoding_that_fails_half_way_leaves_nothing_in_the_next_one():
    serde = MsgpackSerde()
    expected = MsgpackSerde().dumps({"a": [1, 2, 3]})
    with pytest.raises(TypeError):
        serde.dumps({"a": [1, 2, Opaque()]})
    assert serde.dumps({"a": [1, 2, 3]}) == expected
    assert serde.loads(serde.dumps({"a": [1, 2, 3]})) == {"a": [1, 2, 3]}


def test_large_values_and_other_threads_get_the_same_bytes():
    serde = MsgpackSerde()
    big = ["x" * 1000] * 3000  # past the buffer size a thread keeps
    small = {"step": 1, "source": "loop"}
    first = serde.dumps(small)
    assert serde.loads(serde.dumps(big)) == big
    assert serde.dumps(small) == first
    out = []
    threads = [
        threading.Thread(target=lambda: out.append([serde.dumps(small) for _ in range(200)]))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(b == first for batch in out for b in batch)

"""``EncryptedSerializer``: savers store checkpoint values encrypted and hand back the same state.

The shared saver tests (``test_savers.py``) run here against savers whose ``serde`` encrypts —
given to the constructor, or assigned afterwards as LangGraph's own test suite does — and
graph runs check that nothing of the state is stored in the clear, that threads saved before
encryption still read, and that a wrong key is an error naming the checkpoint.
"""

import doctest
import inspect
import itertools
import operator
import re
import sqlite3
from typing import Annotated, Any, TypedDict

import pytest
import test_savers as shared
from pg_fixtures import pg_dsn, pg_server, pg_session_dsn  # noqa: F401 - fixtures
from test_savers import AsyncApi, SyncApi

from langgraph_lite.checkpoint.memory import InMemorySaver
from langgraph_lite.checkpoint.serde import CheckpointDecodeError
from langgraph_lite.checkpoint.serde import encrypted as encrypted_module
from langgraph_lite.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph_lite.checkpoint.sqlite import SqliteSaver
from langgraph_lite.graph import END, START, StateGraph

pytestmark = pytest.mark.anyio

KEY = b"0123456789abcdef"
SECRET = "the-launch-code-is-4711"

for _name, _test in vars(shared).items():
    if _name.startswith("test_") and "api" in inspect.signature(_test).parameters:
        globals()[_name] = _test


def aes(key: bytes = KEY) -> EncryptedSerializer:
    return EncryptedSerializer.from_pycryptodome_aes(key=key)


@pytest.fixture(params=["memory", "sqlite", "sqlite-assigned", "postgres"])
def saver(request, tmp_path):
    if request.param == "memory":
        yield InMemorySaver(serde=aes())
    elif request.param == "sqlite":
        with SqliteSaver.from_conn_string(str(tmp_path / "db.sqlite")) as made:
            made.serde = aes()  # as LangGraph's suite does: set after the saver is made
            yield made
    elif request.param == "sqlite-assigned":
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        made = SqliteSaver(conn)
        made.serde = aes()
        yield made
        conn.close()
    else:
        from langgraph_lite.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(request.getfixturevalue("pg_dsn")) as made:
            made.serde = aes()
            yield made


@pytest.fixture(params=[SyncApi, AsyncApi], ids=["sync", "async"])
def api(request, saver):
    return request.param(saver)


class Chat(TypedDict):
    log: Annotated[list, operator.add]
    note: str


def chat_graph(saver: Any, width: int = 40):
    """A graph whose list grows each turn (list deltas) with many nodes (skeleton deltas)."""
    builder = StateGraph(Chat)
    names = [f"n{i}" for i in range(width)]
    for name in names:
        builder.add_node(name, lambda s, name=name: {"log": [f"{name}:{SECRET}:{len(s['log'])}"]})
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder.compile(checkpointer=saver)


def history(graph: Any, config: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    return [(s.values, s.next, s.metadata["step"]) for s in graph.get_state_history(config)]


def test_a_graph_on_an_encrypted_sqlite_file_stores_nothing_in_the_clear(tmp_path):
    path = tmp_path / "db.sqlite"
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(str(path)) as plain_saver:
        plain = chat_graph(plain_saver)
        for turn in range(3):
            plain.invoke({"log": [f"turn {turn}"], "note": SECRET}, config)
        expected = history(plain, config)
    path.unlink()
    with SqliteSaver.from_conn_string(str(path)) as saver:
        saver.serde = aes()
        graph = chat_graph(saver)
        for turn in range(3):
            graph.invoke({"log": [f"turn {turn}"], "note": SECRET}, config)
        assert history(graph, config) == expected
    assert SECRET.encode() not in path.read_bytes()
    with SqliteSaver.from_conn_string(str(path)) as saver:  # reopened with the key
        saver.serde = aes()
        assert history(chat_graph(saver), config) == expected


def test_an_encrypted_memory_saver_gives_the_same_state_and_history():
    config = {"configurable": {"thread_id": "t"}}
    plain, secret = chat_graph(InMemorySaver()), chat_graph(InMemorySaver(serde=aes()))
    for turn in range(3):
        for graph in (plain, secret):
            graph.invoke({"log": [f"turn {turn}"], "note": SECRET}, config)
    assert history(secret, config) == history(plain, config)
    assert secret.get_state(config).values == plain.get_state(config).values


def test_an_encrypted_postgres_saver_stores_nothing_in_the_clear(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    config = {"configurable": {"thread_id": "t"}}
    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        saver.serde = aes()
        graph = chat_graph(saver)
        for turn in range(3):
            graph.invoke({"log": [f"turn {turn}"], "note": SECRET}, config)
        assert graph.get_state(config).values["note"] == SECRET
        assert len(graph.get_state(config).values["log"]) == 3 * 41
    assert SECRET not in rows_as_text(pg_dsn)


def rows_as_text(dsn: str) -> str:
    """Every saved row as text, its bytes decoded from their hex form."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        text = "".join(
            row[0]
            for table in ("lgl_checkpoints", "lgl_checkpoint_blobs", "lgl_checkpoint_writes")
            for row in conn.execute(f"SELECT t::text FROM {table} t").fetchall()
        )
    assert text
    return text + "".join(
        bytes.fromhex(h).decode("latin-1") for h in re.findall(r"\\\\x([0-9a-f]+)", text)
    )


def test_a_plain_postgres_saver_would_show_the_secret(pg_dsn):  # noqa: F811
    from langgraph_lite.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(pg_dsn) as saver:
        chat_graph(saver, width=3).invoke(
            {"log": [], "note": SECRET}, {"configurable": {"thread_id": "t"}}
        )
    assert SECRET in rows_as_text(pg_dsn)  # so the test above would see it


def test_a_thread_saved_before_encryption_still_reads_and_goes_on(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        chat_graph(saver).invoke({"log": ["first"], "note": "plain"}, config)
    with SqliteSaver.from_conn_string(path) as saver:
        saver.serde = aes()
        graph = chat_graph(saver)
        before = graph.get_state(config).values
        assert before["log"][0] == "first" and len(before["log"]) == 41
        after = graph.invoke({"log": ["second"], "note": "secret"}, config)
        assert after["log"][:41] == before["log"] and len(after["log"]) == 82


def test_the_wrong_key_is_a_decode_error_naming_the_checkpoint(tmp_path):
    path = str(tmp_path / "db.sqlite")
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver.from_conn_string(path) as saver:
        saver.serde = aes()
        chat_graph(saver, width=3).invoke({"log": [], "note": SECRET}, config)
    with SqliteSaver.from_conn_string(path) as saver:
        saver.serde = aes(b"fedcba9876543210")
        with pytest.raises(CheckpointDecodeError, match=r"thread 't'.*could not be decrypted"):
            chat_graph(saver, width=3).get_state(config)


def test_changed_bytes_or_an_unknown_cipher_fail_to_decrypt():
    serde = aes()
    kind, data = serde.dumps_typed({"a": SECRET})
    assert kind == "msgpack+aes" and SECRET.encode() not in data
    flipped = data[:-1] + bytes([data[-1] ^ 1])
    for bad in [(kind, flipped), (kind, data[:20]), ("msgpack+rot13", data)]:
        with pytest.raises(CheckpointDecodeError, match="could not be decrypted"):
            serde.loads_typed(bad)
    assert serde.loads_typed(("msgpack", serde.dumps({"b": 1}))) == {"b": 1}  # stored plain
    assert serde.loads_typed(serde.dumps_typed(None)) is None
    assert serde.loads_typed(serde.dumps_typed(b"raw")) == b"raw"


def test_a_key_comes_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.delenv("LANGGRAPH_AES_KEY", raising=False)
    with pytest.raises(ValueError, match="LANGGRAPH_AES_KEY"):
        EncryptedSerializer.from_pycryptodome_aes()
    with pytest.raises(ValueError, match=r"16, 24 or 32 bytes.*5 bytes"):
        EncryptedSerializer.from_pycryptodome_aes(key=b"short")
    for bad in ({"nonce": b"0" * 16}, {"mac_len": 8}):
        with pytest.raises(ValueError, match="fresh nonce and a 16-byte tag"):
            EncryptedSerializer.from_pycryptodome_aes(key=KEY, **bad)
    monkeypatch.setenv("LANGGRAPH_AES_KEY", KEY.decode())
    from_env = EncryptedSerializer.from_pycryptodome_aes()
    assert aes().loads_typed(from_env.dumps_typed([1, 2])) == [1, 2]


def test_the_serializer_it_wraps_decides_what_may_be_rebuilt():
    from dataclasses import dataclass

    @dataclass
    class Point:
        x: int

    serde = aes()
    stored = serde.dumps_typed(Point(1))
    with pytest.raises(CheckpointDecodeError):
        serde.loads_typed(stored)  # not allowed yet
    serde.allow(Point)
    assert serde.loads_typed(stored) == Point(1)


def test_the_module_example_runs():
    assert doctest.testmod(encrypted_module).failed == 0

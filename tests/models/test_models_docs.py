"""docs/models.md, every block in order, the server ones against the local test server.

The page's plain ``python`` blocks also run in tests/docs; its ``python server`` blocks need a
chat-completions server, so they run only here, with ``OPENAI_BASE_URL`` pointing at ours.
"""

import re
from pathlib import Path

from chat_server import text_reply, tool_reply

PAGE = Path(__file__).resolve().parents[2] / "docs" / "models.md"
BLOCK = re.compile(r"^```python( server)?\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_openai_every_block_of_the_models_page_runs_against_a_local_server(
    chat_server, monkeypatch, capsys
):
    monkeypatch.setenv("OPENAI_BASE_URL", chat_server.base_url)
    chat_server.script(
        text_reply("Hi", "!", usage=(9, 2)),
        tool_reply(("call-1", "get_weather", '{"city": "sf"}')),
        text_reply("It's", " sunny", " in", " sf!"),
        text_reply('{"city": "sf", "sunny": true}'),
    )
    blocks = BLOCK.findall(PAGE.read_text())
    assert [bool(server) for server, _ in blocks].count(True) == 3
    namespace: dict = {"__name__": "docs_models"}
    for i, (_, block) in enumerate(blocks):
        exec(compile(block, f"models.md[block {i}]", "exec"), namespace)
    assert capsys.readouterr().out == "Hi! 11\nIt's| sunny| in| sf!|"
    first = chat_server.requests[0]["body"]
    assert first["model"] == "llama3.1" and first["temperature"] == 0
    assert chat_server.replies == []

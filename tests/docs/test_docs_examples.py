"""Every python block in README.md and docs/*.md runs, in order, page by page."""

import re
from pathlib import Path

import pytest

from langgraph_lite.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_code_block_on_the_page_runs(page, capsys):
    blocks = BLOCK.findall(page.read_text())
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for i, block in enumerate(blocks):
        code = compile(block, f"{page.name}[block {i}]", "exec")
        exec(code, namespace)


def test_readme_example_prints_what_it_says():
    import io
    from contextlib import redirect_stdout

    block = BLOCK.findall((ROOT / "README.md").read_text())[0]
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    promised = [
        line[2:] for line in block.splitlines() if line.startswith("# ") and " " in line[2:]
    ]
    assert out.getvalue().splitlines() == promised


def test_every_error_code_has_a_section_in_errors_md_and_back():
    headings = set(re.findall(r"^## (\w+)$", (ROOT / "docs" / "errors.md").read_text(), re.M))
    assert headings == {code.value for code in ErrorCode}


def test_readme_gives_the_install_and_test_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for command in ('pip install -e ".[dev]"', "python -m pytest"):
        assert command in readme
        assert command in ci


def test_links_in_readme_point_at_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if "://" not in target:
            assert (ROOT / target).exists(), target

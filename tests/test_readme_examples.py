"""Issue 14 item 9: every example of the README runs on a fresh ``make serve``.

The ``curl`` commands of its ``sh`` blocks, the ``http://127.0.0.1:8000/...`` addresses of its
prose and the paths of its tables are sent to the embedded graph (what ``make serve`` serves),
each answering 2xx. Commands that need the update token or a file to upload (imports) are left
out, with the reason in their id.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[1] / "README.md"
BASE = "http://127.0.0.1:8000"


@dataclass
class Example:
    text: str
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    data: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    skip: str | None = None


def _commands(block: str) -> list[str]:
    commands: list[str] = []
    current = ""
    for line in block.splitlines():
        if not current and not line.lstrip().startswith("curl "):
            continue
        current = f"{current}\n{line}" if current else line
        if current.endswith("\\"):
            continue
        try:
            shlex.split(current, comments=True)
        except ValueError:  # a quoted query spans the next lines
            continue
        commands.append(current)
        current = ""
    return commands


def _parse(command: str) -> Example:
    words = shlex.split(command.replace("\\\n", " "), comments=True)
    example = Example(text=command.splitlines()[0][:80], url="")
    get = False
    args = iter(words[1:])
    for word in args:
        if word == "-H":
            name, _, value = next(args).partition(":")
            example.headers[name.strip()] = value.strip()
        elif word == "--data-urlencode":
            name, _, value = next(args).partition("=")
            example.data.append((name, value))
        elif word == "-X":
            example.method = next(args)
        elif word == "-d":
            example.body = next(args)
        elif word == "-G":
            get = True
        elif word == "-F":
            example.skip = "uploads a file (an import)"
            next(args)
        elif word.startswith("http"):
            example.url = word
    if "$TOKEN" in example.headers.get("Authorization", ""):
        example.skip = "needs the update token"
    if example.data and not get:
        example.method = "POST"
    return example


def _examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found: list[Example] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        found += [_parse(c) for c in _commands(block)]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    inline = re.findall(r"`(curl [^`]+)`", prose)
    found += [_parse(c) for c in inline]
    prose = re.sub(r"`curl [^`]+`", "", prose)
    for url in re.findall(r"http://127\.0\.0\.1:8000/[^\s`)\"']*", prose):
        example = Example(text=url, url=url.rstrip(".,"))
        if urlsplit(example.url).path == "/mcp":
            example.skip = "the MCP endpoint: tests/test_mcp.py drives it with the mcp client"
        found.append(example)
    for path in re.findall(r"^\| `(/[^`]+)`", prose, re.M):  # the graph pages' table
        found.append(Example(text=path, url=BASE + path))
    return found


EXAMPLES = _examples()


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 25
    assert sum(e.method == "POST" for e in EXAMPLES) >= 3  # the SPARQL examples
    assert any("as_of=" in e.url for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.text for e in EXAMPLES])
def test_readme_example_answers_2xx(client: TestClient, example: Example) -> None:
    if example.skip:
        pytest.skip(example.skip)
    parts = urlsplit(example.url)
    assert parts.netloc == "127.0.0.1:8000", example.url
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if example.body is not None:
        response = client.request(example.method, target, content=example.body.encode(), headers=example.headers)
    elif example.method == "POST":
        form: dict[str, list[str]] = {}
        for name, value in example.data:  # default-graph-uri may be given twice
            form.setdefault(name, []).append(value)
        response = client.post(target, data=form, headers=example.headers)
    else:
        response = client.get(target, params=example.data or None, headers=example.headers)
    assert 200 <= response.status_code < 300, (example.text, response.status_code, response.text[:300])

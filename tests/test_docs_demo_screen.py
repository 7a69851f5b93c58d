"""The README's "What happens on screen" shows what `make demo` prints.

`make demo` itself never ends, so the docs command test does not run it;
this test compares the README's screen with the list `samtykke demo` prints
from, so a new service or a renamed URL cannot leave the README behind.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gateway.cli.demo import demo_services
from tests.docs_commands import ROOT, fenced_blocks

SECTION = "## What happens on screen"


def _readme_screen() -> str:
    readme = ROOT / "README.md"
    start = readme.read_text(encoding="utf-8").splitlines().index(SECTION) + 1
    screens = [block for block in fenced_blocks(readme) if block.kind == "text"]
    after_heading = [block for block in screens if block.line_number > start]
    assert after_heading, "the README shows no screen under its 'What happens on screen'"
    return after_heading[0].text


def test_every_url_the_demo_prints_is_on_the_readme_screen() -> None:
    screen = _readme_screen()
    printed = [(label, url) for service in demo_services() for label, url in service.urls.items()]
    assert printed, "the demo prints no URL"
    for label, url in printed:
        assert label in screen, f"the README's demo screen lacks {label!r}"
        assert urlsplit(url).path in screen, f"the README's demo screen lacks {url}"

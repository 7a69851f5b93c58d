"""Every command in README.md and docs/*.md runs, so the documents cannot rot.

The fences and what is done with each are described in docs/README.md:
```sh lines run with bash in a fresh directory (fresh SQLite database and
key folder) and must exit 0; ```sh long-running lines are started as
servers, kept running while the rest of the document runs, and stopped;
```python blocks are compiled and their imports resolved.

`make` lines are not run. `make test` would run this test again, recursively,
and `make demo` never ends (its pieces, `samtykke mocks serve` and
`samtykke serve`, are started by the README's long-running block instead).
For every make line the test checks what can rot: the Makefile still has
the target, each project program its recipe runs exists, and each
`samtykke` sub-command it runs is still accepted (`samtykke … --help`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs_commands import (
    DOCUMENTS,
    ROOT,
    Block,
    Ports,
    check_make_command,
    check_python,
    environment,
    fenced_blocks,
    run_answered_command,
    run_command,
    run_document,
)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_command_in_the_document_runs(document: Path, tmp_path: Path) -> None:
    checked = run_document(document, tmp_path)
    if document != ROOT / "docs" / "README.md":  # it only explains the fences
        assert checked > 0, f"{document.relative_to(ROOT)} has no command to check"


def test_the_readme_opens_with_the_two_commands() -> None:
    first = fenced_blocks(ROOT / "README.md")[0]
    assert first.kind == "sh"
    assert [command.split("#")[0].strip() for command in first.commands()] == [
        "make demo",
        "make test",
    ]


# The runner must be able to fail: otherwise the documents are not tested at all.


def test_a_failing_line_fails(tmp_path: Path) -> None:
    env = environment(tmp_path, Ports())
    with pytest.raises(AssertionError, match="exited 3"):
        run_command("exit 3", cwd=tmp_path, env=env, where="here")


def test_an_unknown_sub_command_fails(tmp_path: Path) -> None:
    env = environment(tmp_path, Ports())
    with pytest.raises(AssertionError, match="exited"):
        run_command("samtykke no-such-group", cwd=tmp_path, env=env, where="here")


def test_a_missing_make_target_fails(tmp_path: Path) -> None:
    env = environment(tmp_path, Ports())
    with pytest.raises(AssertionError, match="no target"):
        check_make_command("make no-such-target", env=env, where="here")


def test_a_python_block_importing_a_missing_name_fails(tmp_path: Path) -> None:
    block = Block(tmp_path / "x.md", 1, "python", "from samtykke_client import NoSuchThing\n")
    with pytest.raises(AssertionError, match="NoSuchThing"):
        check_python(block)


def test_a_long_running_block_with_an_unknown_server_fails(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text("```sh long-running\nsleep 600\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="no health URL"):
        run_document(document, tmp_path)


def test_ports_are_rewritten_only_where_the_defaults_are() -> None:
    ports = Ports(gateway=1000, skatteetaten=1001, brreg=1002, idporten=1003)
    assert (
        ports.rewrite("curl http://127.0.0.1:8000/x http://localhost:8103/y http://127.0.0.1:80001")
        == "curl http://127.0.0.1:1000/x http://localhost:1003/y http://127.0.0.1:80001"
    )


def test_comments_and_continuations_are_read_as_one_command(tmp_path: Path) -> None:
    block = Block(tmp_path / "x.md", 1, "sh", "# a comment\n\nsamtykke \\\n  db upgrade\n")
    assert block.commands() == ["samtykke    db upgrade"]


def test_an_answered_line_that_prints_no_consent_link_fails(tmp_path: Path) -> None:
    env = environment(tmp_path, Ports())
    with pytest.raises(AssertionError, match="printed no consent page link"):
        run_answered_command(
            "echo waiting for nobody", "14838500073", cwd=tmp_path, env=env, where="here"
        )


def test_the_answer_as_fence_names_the_person() -> None:
    block = Block(ROOT / "x.md", 1, "sh answer-as=14838500073", "python bank_example.py")
    assert block.answering_person == "14838500073"
    assert Block(ROOT / "x.md", 1, "sh", "true").answering_person is None

"""Reading and running the commands of the Markdown documents (conventions: docs/README.md).

Kept apart from the test module so that the runner itself can be tested:
a runner that never fails would make the documentation test worthless.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from typer.testing import CliRunner

from gateway.cli import app as cli_app
from gateway.settings import get_settings
from tests.servers import port_for_a_child_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND_TIMEOUT_SECONDS = 120
STARTUP_TIMEOUT_SECONDS = 30.0

_FENCE = re.compile(r"^ *(`{3,})\s*(.*)$")  # indented inside list items too

# A python block starting with this comment is saved under that name for later lines.
SAVE_AS = re.compile(r"^# save as: ([\w.-]+\.py)\s*$", re.MULTILINE)
# ```sh answer-as=PERSON: the command prints a consent page's link and waits for the answer.
ANSWER_AS = re.compile(r"^answer-as=(\d{11})$")
CONSENT_PAGE = re.compile(r"https?://\S+/citizen/consentrequests/[\w-]+")


@dataclass(frozen=True)
class Block:
    document: Path
    line_number: int  # of the opening fence, 1-based
    info: str
    text: str

    @property
    def kind(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def long_running(self) -> bool:
        return self.kind == "sh" and "long-running" in self.info.split()[1:]

    @property
    def answering_person(self) -> str | None:
        """The person who answers the consent request the command asks for, if any."""
        for word in self.info.split()[1:]:
            match = ANSWER_AS.match(word)
            if match:
                return match.group(1)
        return None

    def where(self) -> str:
        name = (
            self.document.relative_to(ROOT) if self.document.is_relative_to(ROOT) else self.document
        )
        return f"{name}:{self.line_number}"

    def commands(self) -> list[str]:
        """The block's lines, joined across trailing backslashes; no blanks or comments."""
        commands: list[str] = []
        pending = ""
        for line in self.text.splitlines():
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            command = (pending + line).strip()
            pending = ""
            if command and not command.startswith("#"):
                commands.append(command)
        return commands


def fenced_blocks(document: Path) -> list[Block]:
    blocks: list[Block] = []
    fence: str | None = None
    info = ""
    start = 0
    body: list[str] = []
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence, info, start, body = match.group(1), match.group(2).strip(), number, []
        elif match and match.group(1) == fence and not match.group(2):
            blocks.append(Block(document, start, info, "\n".join(body)))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"{document.relative_to(ROOT)}:{start}: the fence is never closed"
    return blocks


@dataclass(frozen=True)
class Ports:
    gateway: int = field(default_factory=port_for_a_child_process)
    skatteetaten: int = field(default_factory=port_for_a_child_process)
    brreg: int = field(default_factory=port_for_a_child_process)
    idporten: int = field(default_factory=port_for_a_child_process)
    landbruk: int = field(default_factory=port_for_a_child_process)
    fiskeri: int = field(default_factory=port_for_a_child_process)

    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    def rewrite(self, command: str) -> str:
        """The documented default addresses, replaced by the ports this run listens on."""
        for default, actual in (
            (8000, self.gateway),
            (8101, self.skatteetaten),
            (8102, self.brreg),
            (8103, self.idporten),
            (8104, self.landbruk),
            (8105, self.fiskeri),
        ):
            command = re.sub(rf"(127\.0\.0\.1|localhost):{default}\b", f"\\1:{actual}", command)
        return command


def environment(directory: Path, ports: Ports) -> dict[str, str]:
    """A newcomer's shell: the project's programs on PATH, every setting at its default
    except the database, the key folder and the ports, which belong to this run."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SAMTYKKE_")}
    gateway = ports.url(ports.gateway)
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "SAMTYKKE_DATABASE_URL": f"sqlite:///{directory / 'samtykke.db'}",
            "SAMTYKKE_KEY_DIR": str(directory / "keys"),
            "SAMTYKKE_ISSUER_URL": gateway,
            "SAMTYKKE_PORT": str(ports.gateway),
            "SAMTYKKE_SKATTEETATEN_BASE_URL": ports.url(ports.skatteetaten),
            "SAMTYKKE_BRREG_BASE_URL": ports.url(ports.brreg),
            "SAMTYKKE_IDPORTEN_ISSUER_URL": ports.url(ports.idporten),
            "SAMTYKKE_MOCKS_SKATTEETATEN_PORT": str(ports.skatteetaten),
            "SAMTYKKE_MOCKS_BRREG_PORT": str(ports.brreg),
            "SAMTYKKE_MOCKS_IDPORTEN_PORT": str(ports.idporten),
            "SAMTYKKE_MOCKS_LANDBRUK_PORT": str(ports.landbruk),
            "SAMTYKKE_MOCKS_FISKERI_PORT": str(ports.fiskeri),
            "SAMTYKKE_LANDBRUK_BASE_URL": ports.url(ports.landbruk),
            "SAMTYKKE_FISKERI_BASE_URL": ports.url(ports.fiskeri),
            "SAMTYKKE_MOCKS_GATEWAY_JWKS_URL": f"{gateway}/.well-known/registry-client-jwks.json",
            "SAMTYKKE_MOCKS_IDPORTEN_REDIRECT_URIS": f'["{gateway}/citizen/login/callback"]',
        }
    )
    return env


_SHELL_SYNTAX = set("|;&<>$`()*?~")


def in_process_arguments(command: str) -> list[str] | None:
    """The arguments of a plain `samtykke …` line, which can run without a new interpreter.

    Lines with shell syntax (redirections, pipes, variables) are left to bash.
    """
    if _SHELL_SYNTAX & set(command.split("#", 1)[0]):
        return None
    words = shlex.split(command, comments=True)
    if not words or words[0] != "samtykke":
        return None
    return words[1:]


def run_in_process(arguments: list[str], *, cwd: Path, env: dict[str, str], where: str) -> None:
    """Run `samtykke ARGUMENTS` through the installed entry point's Click app, in `cwd`.

    The same app the `samtykke` script runs, minus the second or so a new
    interpreter spends importing the gateway for every documented line.
    """
    overrides: dict[str, str | None] = {**env}
    overrides.update({name: None for name in os.environ if name not in env})
    previous = Path.cwd()
    get_settings.cache_clear()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli_app, arguments, env=overrides)
    finally:
        os.chdir(previous)
        get_settings.cache_clear()
    assert result.exit_code == 0, (
        f"{where}: `samtykke {shlex.join(arguments)}` exited {result.exit_code}\n"
        f"output:\n{result.output[-2000:]}\n{result.exception!r}"
    )


def run_command(command: str, *, cwd: Path, env: dict[str, str], where: str) -> None:
    """Run one documented line; fail with its output unless it exits 0."""
    arguments = in_process_arguments(command)
    if arguments is not None:
        run_in_process(arguments, cwd=cwd, env=env, where=where)
        return
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{where}: `{command}` exited {completed.returncode}\n"
        f"stdout:\n{completed.stdout[-2000:]}\nstderr:\n{completed.stderr[-2000:]}"
    )


def accept_as(person: str, consent_page: str) -> None:
    """What the reader does in the browser: log in at the mock ID-porten as `person` and
    accept the request on the consent page."""
    from tests.citizen_env import csrf_of, log_in  # noqa: PLC0415  (only this fence needs it)

    with httpx.Client(timeout=10.0) as browser:
        page = log_in(browser, consent_page, person)
        assert page.status_code == 200, f"the consent page answered {page.status_code}"
        answered = browser.post(
            consent_page.rstrip("/") + "/answer",
            data={"csrf_token": csrf_of(page), "decision": "accept"},
        )
        assert answered.status_code == 303, f"the answer was refused: {answered.status_code}"


def run_answered_command(
    command: str, person: str, *, cwd: Path, env: dict[str, str], where: str
) -> None:
    """Run a line that prints a consent page's link and waits; accept there as `person`
    when the link appears; the line must then exit 0."""
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # A line that never prints its link, or never ends, is stopped rather than waited on.
    watchdog = threading.Timer(COMMAND_TIMEOUT_SECONDS, stop, args=(process,))
    watchdog.start()
    output: list[str] = []
    answered = False
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            link = CONSENT_PAGE.search(line)
            if link and not answered:
                accept_as(person, link.group(0))
                answered = True
        process.wait()
    finally:
        watchdog.cancel()
        stop(process)
    printed = "".join(output)[-3000:]
    assert answered, f"{where}: `{command}` printed no consent page link\n{printed}"
    assert process.returncode == 0, (
        f"{where}: `{command}` exited {process.returncode}\noutput:\n{printed}"
    )


# -- make ------------------------------------------------------------------------------


def make_recipe(target: str, makefile: Path = ROOT / "Makefile") -> list[str]:
    """The recipe lines of `target`, with $(BIN) and $(VENV) spelled out."""
    lines = makefile.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"^{re.escape(target)}\s*:(?!=)", line):
            recipe: list[str] = []
            for following in lines[index + 1 :]:
                if not following.startswith("\t"):
                    break
                recipe.append(
                    following.strip()
                    .lstrip("@")
                    .replace("$(BIN)", str(BIN))
                    .replace("$(VENV)", str(BIN.parent))
                )
            return recipe
    raise AssertionError(f"the Makefile has no target {target!r}")


def check_make_command(command: str, *, env: dict[str, str], where: str) -> None:
    """`make X`: the target exists and every project program its recipe runs exists."""
    words = shlex.split(command.split("#", 1)[0])
    assert words[0] == "make", f"{where}: `{command}` is not a make line"
    for target in words[1:] or ["demo"]:
        for recipe_line in make_recipe(target):
            program, *arguments = shlex.split(recipe_line)
            if not program.startswith(str(BIN)):
                continue  # system programs (rm, touch, apt-get) are the machine's business
            assert Path(program).exists(), f"{where}: `make {target}` runs missing {program}"
            name = Path(program).name
            if name == "samtykke":
                sub_command = [word for word in arguments if not word.startswith("-")]
                run_command(
                    shlex.join([program, *sub_command[:2], "--help"]),
                    cwd=ROOT,
                    env=env,
                    where=f"{where} (make {target})",
                )
            elif name.startswith("python") and arguments[:1] == ["-m"]:
                module = arguments[1]
                assert importlib.util.find_spec(module), f"{where}: no module {module}"


# -- long-running servers ------------------------------------------------------------


def health_urls(command: str, ports: Ports) -> list[str]:
    """Where each documented server says it is up."""
    words = shlex.split(command.split("#", 1)[0])
    if words[:3] == ["samtykke", "mocks", "serve"]:
        return [
            f"{ports.url(port)}/healthz"
            for port in (
                ports.skatteetaten,
                ports.brreg,
                ports.idporten,
                ports.landbruk,
                ports.fiskeri,
            )
        ]
    if words[:2] in (["samtykke", "serve"], ["samtykke", "demo"]):
        return [f"{ports.url(ports.gateway)}/healthz"]
    raise AssertionError(f"no health URL is known for `{command}`: add it to health_urls")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_healthy(process: subprocess.Popen[bytes], urls: list[str], where: str) -> None:
    """A child process cannot hand over a bound socket, so ask until it answers; waiting
    on the process between questions also notices at once when it dies."""
    deadline_checks = int(STARTUP_TIMEOUT_SECONDS / 0.1)
    pending = list(urls)
    for _ in range(deadline_checks):
        pending = [url for url in pending if not _answers(url)]
        if not pending:
            return
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"{where}: the server exited with status {process.returncode}")
    raise AssertionError(f"{where}: {pending} did not answer in {STARTUP_TIMEOUT_SECONDS} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """As Ctrl-C would: the whole process group, so children (the mocks, uvicorn) stop too."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def servers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in reversed(started):
            stop(process)


def start_server(
    command: str,
    *,
    cwd: Path,
    env: dict[str, str],
    ports: Ports,
    log: Path,
    where: str,
) -> subprocess.Popen[bytes]:
    urls = health_urls(command, ports)
    with log.open("ab") as output:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_healthy(process, urls, where)
    except AssertionError:
        stop(process)
        raise AssertionError(
            f"{where}: `{command}` did not start\n{log.read_text(errors='replace')[-3000:]}"
        ) from None
    return process


# -- python ------------------------------------------------------------------------------


def check_python(block: Block) -> None:
    """The block compiles, and everything it imports exists under the name it uses."""
    tree = ast.parse(block.text, filename=block.where())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), (
                    f"{block.where()}: {node.module} has no {alias.name}"
                )


# -- one document --------------------------------------------------------------------


def run_document(document: Path, directory: Path) -> int:
    """Run every block of `document` in order; returns how many commands ran or were checked."""
    ports = Ports()
    env = environment(directory, ports)
    checked = 0
    with servers() as started:
        for block in fenced_blocks(document):
            if block.kind == "python":
                check_python(block)
                saved_as = SAVE_AS.match(block.text)
                if saved_as:  # later lines run it, as a reader who saved it would
                    saved = directory / saved_as.group(1)
                    saved.write_text(ports.rewrite(block.text), encoding="utf-8")
                checked += 1
                continue
            if block.kind != "sh":
                continue
            for command in block.commands():
                where = block.where()
                if command.startswith("make ") or command == "make":
                    check_make_command(command, env=env, where=where)
                elif block.answering_person:
                    run_answered_command(
                        ports.rewrite(command),
                        block.answering_person,
                        cwd=directory,
                        env=env,
                        where=where,
                    )
                elif block.long_running:
                    log = directory / f"server-{len(started)}.log"
                    started.append(
                        start_server(
                            ports.rewrite(command),
                            cwd=directory,
                            env=env,
                            ports=ports,
                            log=log,
                            where=where,
                        )
                    )
                else:
                    run_command(ports.rewrite(command), cwd=directory, env=env, where=where)
                checked += 1
    return checked

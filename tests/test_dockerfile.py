"""The Docker image's contents, proved without Docker: its files, its build steps, its /start.

No base image can be pulled here and no container run, so this test plays the build
from the Dockerfile itself: it copies exactly what the COPY lines name (minus what
.dockerignore leaves out) into an empty folder, runs the RUN steps there (the editable
install and the catalog compilation), and runs the CMD as the Dockerfile's unprivileged
user against the local Bot API server, which must answer /start and take a consent.

Nothing is downloaded: the install is offline, and the image's Python sees only the
dependencies pyproject.toml declares (with their own), taken from this environment.
A Dockerfile instruction or RUN step the test does not know fails it: teach it here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement

from bot.core.config import LANGUAGES
from bot.core.i18n import Catalogs
from bot.sandbox.botapi import JSON, BotApiServer
from bot.views.buttons import ConsentYes
from bot.views.notice import consent_request_text

ROOT = Path(__file__).resolve().parent.parent
RESIDENT = 4242
# Guards against hanging, not speed checks: a loaded CI machine starts Python slowly.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


# ---------------------------------------------------------------- reading the Dockerfile


@dataclass
class Image:
    """What the Dockerfile says, instruction by instruction."""

    workdir: PurePosixPath = field(default_factory=lambda: PurePosixPath("/"))
    env: dict[str, str] = field(default_factory=dict)
    copies: list[tuple[list[str], str]] = field(default_factory=list)  # sources, destination
    runs: list[str] = field(default_factory=list)
    user: str | None = None
    volumes: list[PurePosixPath] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)


def instructions(text: str) -> Iterator[tuple[str, str]]:
    """Yield (INSTRUCTION, arguments), continuation lines joined, comments left out."""
    logical = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not logical):
            continue
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        logical += stripped
        keyword, _, arguments = logical.partition(" ")
        yield keyword.upper(), arguments.strip()
        logical = ""
    assert not logical, "the Dockerfile ends inside a continued line"


def read_image(text: str) -> Image:
    """Parse the Dockerfile; fail on anything this test cannot reproduce."""
    image = Image()
    for keyword, arguments in instructions(text):
        if keyword == "FROM":
            continue  # the base image's Python is this one (see module docstring)
        if keyword == "ENV":
            words = shlex.split(arguments)
            if "=" not in words[0]:  # the old form: ENV KEY value
                image.env[words[0]] = " ".join(words[1:])
            else:
                image.env.update(word.split("=", 1) for word in words)
        elif keyword == "WORKDIR":
            image.workdir = image.workdir / arguments
        elif keyword == "COPY":
            *sources, destination = shlex.split(arguments)
            assert not any(s.startswith("--") for s in sources), f"teach the test: COPY {arguments}"
            image.copies.append((sources, str(image.workdir / destination)))
            if destination.endswith("/") or destination in (".", ".."):
                image.copies[-1] = (sources, image.copies[-1][1] + "/")
        elif keyword == "RUN":
            image.runs.append(arguments)
        elif keyword == "USER":
            image.user = arguments
        elif keyword == "VOLUME":
            paths = json.loads(arguments) if arguments.startswith("[") else arguments.split()
            image.volumes.extend(PurePosixPath(path) for path in paths)
        elif keyword == "CMD":
            image.cmd = json.loads(arguments)
        elif keyword not in ("LABEL", "EXPOSE"):
            pytest.fail(f"tests/test_dockerfile.py cannot reproduce {keyword}; teach it")
    return image


def ignore_patterns(path: Path) -> list[tuple[re.Pattern[str], bool]]:
    """Read .dockerignore as Docker does: (pattern, is an exception "!…"), in order."""
    if not path.exists():
        return []
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        # Go's filepath.Match, plus "**" for any number of folders.
        regex = ""
        for part in re.split(r"(\*\*/?|\*|\?)", pattern):
            if part.startswith("**"):
                regex += "(.*/)?" if part.endswith("/") else ".*"
            elif part == "*":
                regex += "[^/]*"
            elif part == "?":
                regex += "[^/]"
            else:
                regex += re.escape(part)
        patterns.append((re.compile(regex + "$"), negated))
    return patterns


def ignored(relative: PurePosixPath, patterns: list[tuple[re.Pattern[str], bool]]) -> bool:
    """Tell whether Docker leaves this path out of the build context."""
    # A pattern that matches a folder leaves out everything in it; the last match wins.
    candidates = [str(relative), *(str(parent) for parent in relative.parents if parent.name)]
    excluded = False
    for regex, negated in patterns:
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def copy_into(image: Image, context: Path, rootfs: Path) -> None:
    """Do what the COPY lines do, from the build context into the image's file system."""
    patterns = ignore_patterns(context / ".dockerignore")
    for sources, destination in image.copies:
        target = rootfs / PurePosixPath(destination).relative_to("/")
        matched = [path for source in sources for path in sorted(context.glob(source))]
        assert matched, f"COPY {sources}: nothing in the build context matches"
        # Docker's rule: a destination ending in "/" (or several sources) is a folder.
        into_folder = len(matched) > 1 or destination.endswith("/")
        for path in matched:
            for file in _files(path):
                relative = PurePosixPath(file.relative_to(context).as_posix())
                if ignored(relative, patterns):
                    continue
                # A folder's contents are copied, not the folder itself (Docker's rule).
                inside = file.relative_to(path) if path.is_dir() else Path(path.name)
                copied = target / inside if path.is_dir() or into_folder else target
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, copied)


def _files(path: Path) -> Iterable[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


# ---------------------------------------------------------------- the image's Python


def dependency_closure(requirements: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """Return the installed distributions that ``pip install`` would bring for these."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [(Requirement(text), {""}) for text in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement, parent_extras = pending.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in parent_extras
        ):
            continue
        key = (requirement.name.lower(), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        distribution = importlib.metadata.distribution(requirement.name)
        found[distribution.metadata["Name"].lower()] = distribution
        extras = {"", *requirement.extras}
        pending.extend((Requirement(text), extras) for text in distribution.requires or [])
    return list(found.values())


def link_distributions(distributions: Iterable[importlib.metadata.Distribution], to: Path) -> None:
    """Make these distributions, and only these, importable from the folder ``to``."""
    to.mkdir(parents=True, exist_ok=True)
    for distribution in distributions:
        assert distribution.files is not None, f"{distribution.metadata['Name']} lists no files"
        tops = {file.parts[0] for file in distribution.files} - {"..", "__pycache__"}
        for top in tops:
            link = to / top
            if not link.exists():
                link.symlink_to(Path(str(distribution.locate_file(top))))


# ---------------------------------------------------------------- building it


@dataclass
class Build:
    """The image, played out in a folder: its file system, its Python and its user."""

    image: Image
    rootfs: Path
    venv: Path
    tools: Path  # pip and setuptools: what ``docker build`` has while it installs
    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (uid, home)

    def host(self, path: str | PurePosixPath) -> Path:
        """Where a path inside the image is in this folder."""
        return self.rootfs / PurePosixPath(self.image.workdir, path).relative_to("/")

    def env(self, home: str) -> dict[str, str]:
        """The image's environment, its paths moved into this folder, and nothing else."""
        env = {
            name: str(self.host(value)) if value.startswith("/") else value
            for name, value in self.image.env.items()
        }
        env["PATH"] = f"{self.venv / 'bin'}:/usr/bin:/bin"
        env["HOME"] = str(self.host(home))
        return env

    def run_step(self, command: list[str]) -> None:
        """Run one command of a RUN line, as ``docker build`` would (as root)."""
        program, *arguments = command
        env = self.env("/root")
        if program == "pip":
            # Offline: the dependencies are already there (see link_distributions).
            env["PYTHONPATH"] = str(self.tools)
            argv = [str(self.venv / "bin" / "python"), "-m", "pip", *arguments]
            argv += ["--no-index", "--no-deps", "--no-build-isolation"]
        elif program == "pybabel":
            argv = [str(self.venv / "bin" / "python"), "-m", "babel.messages.frontend", *arguments]
        elif program == "useradd":
            uid = int(_option(arguments, "--uid"))
            self.users[arguments[-1]] = (uid, _option(arguments, "--home-dir"))
            return
        elif program == "mkdir":
            for path in (a for a in arguments if not a.startswith("-")):
                self.host(path).mkdir(parents=True, exist_ok=True)
            return
        elif program == "chown":
            owner, *paths = arguments
            if os.geteuid() == 0:  # the user's own group shares its number (see as_user)
                for path in paths:
                    os.chown(self.host(path), self.users[owner][0], self.users[owner][0])
            return
        else:
            pytest.fail(f"tests/test_dockerfile.py cannot reproduce `{shlex.join(command)}`")
        done = subprocess.run(
            argv,
            cwd=self.host("."),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}{done.stderr}"


def _option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def build(context: Path, folder: Path) -> Build:
    """Play the Dockerfile's build in ``folder``: COPY, then every RUN step."""
    image = read_image((context / "Dockerfile").read_text())
    rootfs, venv = folder / "rootfs", folder / "python"
    played = Build(image, rootfs, venv, folder / "tools")
    copy_into(image, context, rootfs)
    # The base image's Python: no packages of its own but pip, as python:*-slim.
    subprocess.run([base_python(), "-m", "venv", "--without-pip", venv], check=True)
    project = tomllib.loads(played.host("pyproject.toml").read_text())["project"]
    dependencies = folder / "dependencies"
    link_distributions(dependency_closure(project["dependencies"]), dependencies)
    link_distributions(dependency_closure(["pip", "setuptools"]), played.tools)
    [site_packages] = venv.glob("lib/python*/site-packages")
    (site_packages / "dependencies.pth").write_text(f"{dependencies}\n")
    for line in image.runs:
        for command in line.split("&&"):
            played.run_step(shlex.split(command))
    return played


def readable_by_others(path: Path) -> bool:
    """Tell whether a user with no rights of its own can read ``path`` (and reach it)."""
    path = path.resolve()
    folders_open = all(folder.stat().st_mode & 0o001 for folder in path.parents)
    return folders_open and bool(path.stat().st_mode & 0o004)


def base_python() -> Path:
    """This Python, or the same version elsewhere if the image's user could not run it."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [Path(sys.base_prefix) / "bin" / name, Path("/usr/local/bin") / name]
    candidates.append(Path("/usr/bin") / name)
    for python in candidates:
        if python.exists() and (os.geteuid() != 0 or readable_by_others(python)):
            stdlib = subprocess.run(
                [python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if os.geteuid() != 0 or readable_by_others(Path(stdlib)):
                return python
    pytest.skip(f"no {name} here that an unprivileged user may run (this one is private)")


@contextlib.contextmanager
def shared_folder() -> Iterator[Path]:
    """A temporary folder the image's unprivileged user can read (pytest's are private)."""
    folder = Path(tempfile.mkdtemp(prefix="nabo-image-"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- running it


def as_user(build: Build) -> list[str]:
    """The command prefix that runs a process as the image's USER."""
    assert build.image.user, "the image runs as root: the Dockerfile needs a USER"
    uid, _ = build.users[build.image.user]
    if os.geteuid() != 0:
        return []  # already an unprivileged user
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop to the USER")
    dependencies = Path(str(importlib.metadata.distribution("python-telegram-bot").locate_file("")))
    if not readable_by_others(dependencies):
        pytest.skip(f"{dependencies} is private: the image's user could not read the packages")
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]


@pytest.fixture(scope="module")
def image() -> Iterator[Build]:
    """The image, built once for this module's tests."""
    with shared_folder() as folder:
        yield build(ROOT, folder)


def test_the_image_has_every_catalog_compiled(image: Build) -> None:
    languages = [path.name for path in image.host("locales").iterdir() if path.is_dir()]
    assert sorted(languages) == sorted(LANGUAGES)
    for language in languages:
        assert image.host(f"locales/{language}/LC_MESSAGES/messages.mo").is_file()


def test_the_images_python_finds_nabo_in_the_image_and_nothing_undeclared(image: Build) -> None:
    # From "/", not WORKDIR: only the editable install can lead to the image's copy.
    # pytest is in the test's environment, but no declared dependency brings it.
    probe = subprocess.run(
        [
            *as_user(image),
            str(image.venv / "bin" / "python"),
            "-c",
            "import bot, handlers, importlib.util as u;"
            "print(bot.__file__, handlers.__file__, u.find_spec('pytest') is None)",
        ],
        cwd="/",
        env=image.env("/"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split() == [
        str(image.host("bot/__init__.py")),
        str(image.host("handlers/__init__.py")),
        "True",
    ]


@contextlib.asynccontextmanager
async def started(image: Build, server: BotApiServer) -> AsyncIterator[Bot]:
    """Run the image's CMD with the image's environment; stop it with SIGTERM afterwards."""
    assert image.image.user is not None
    env = image.env(image.users[image.image.user][1])
    env.update(BOT_TOKEN=server.token, TELEGRAM_BASE_URL=server.base_url)
    bot = Bot(image.rootfs.parent / "bot.log")
    with bot.log.open("wb") as output:
        bot.process = await asyncio.create_subprocess_exec(
            *as_user(image),
            *image.image.cmd,
            cwd=image.host("."),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield bot
    finally:
        if bot.process.returncode is None:
            bot.process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(bot.process.wait(), STOP_TIMEOUT)
    assert returncode == 0, f"the bot exited with {returncode}:\n{bot.output()}"


@dataclass
class Bot:
    """The image's CMD, running."""

    log: Path
    process: asyncio.subprocess.Process = field(init=False)

    def output(self) -> str:
        """What the bot logged so far."""
        return self.log.read_text(errors="replace")

    def uids(self) -> list[int]:
        """The real, effective, saved and file-system uid it runs with."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        [line] = [line for line in status.splitlines() if line.startswith("Uid:")]
        return [int(uid) for uid in line.split()[1:]]

    async def reply(self, server: BotApiServer) -> JSON:
        """Wait for its answer to the resident's last action; fail at once if it died."""
        reply = asyncio.ensure_future(server.wait_for_messages(RESIDENT, timeout=START_TIMEOUT))
        while not reply.done():
            if self.process.returncode is not None:
                reply.cancel()
                pytest.fail(f"the bot stopped before it answered:\n{self.output()}")
            await asyncio.wait({reply}, timeout=0.2)
        [message] = reply.result()
        return message


def owner(path: Path) -> int:
    """The uid that owns ``path``."""
    return path.stat().st_uid


async def test_the_image_answers_start_as_its_own_user(
    image: Build, botapi: BotApiServer, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("ar")
    botapi.user(RESIDENT, language_code="ar")
    async with started(image, botapi) as bot:
        botapi.send_command(RESIDENT, "start")
        notice = await bot.reply(botapi)
        # In Arabic: the catalogs the image compiled are the ones it reads.
        assert notice["text"] == consent_request_text(tr)
        assert 0 not in bot.uids()
        # Saying yes writes to the database on the volume, as the image's user.
        botapi.press_button(RESIDENT, notice["message_id"], ConsentYes().pack())
        menu = await bot.reply(botapi)
        assert menu["text"].startswith(tr.gettext("Thank you! You are all set."))
    if os.geteuid() == 0:
        uid, _ = image.users[image.image.user or ""]
        assert owner(image.host(image.image.env["DATABASE_PATH"])) == uid
    assert "Traceback" not in bot.output()


def test_the_image_prints_a_poster_with_its_own_fonts(image: Build) -> None:
    """Posters need fonts and libraries from the image alone: nothing from the system."""
    from bot.db.store import Store
    from tests.printed import flat, pdf_text, qr_codes, render

    database = image.rootfs.parent / "poster.sqlite3"

    async def create() -> None:
        store = await Store.open(database)
        await store.close()

    asyncio.run(create())
    database.chmod(0o666)
    database.parent.chmod(0o777)
    out = image.rootfs.parent / "poster.pdf"
    env = image.env("/")
    env.update(DATABASE_PATH=str(database), BOT_USERNAME="nabo_viborg_bot")
    done = subprocess.run(
        [
            *as_user(image),
            str(image.venv / "bin" / "python"),
            "-m",
            "bot",
            "poster",
            "nabo",
            "--out",
            str(out),
        ],
        cwd=image.host("."),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert qr_codes(render(pdf)) == ["https://t.me/nabo_viborg_bot"]
    assert "انضموا إلى Nabo" in flat(pdf_text(pdf))

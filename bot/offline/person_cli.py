"""``python -m bot person find | export | erase | slip``: data requests on the command line.

For the data controller, on the machine that holds the database. The same as staff's
/person in chat (handlers/person.py): find someone by phone number, first name or
Telegram user number; then, saying how their identity was checked (``--checked``) and
after a confirmation (or ``--yes``), write everything Nabo stores about them to a JSON
file, or erase them exactly as /deleteme does. ``slip`` makes a new one-time joining link
for someone without Telegram (the old one stops working), as staff's 🔗 does, and writes
its slip to print: an A6 PDF in their language with the link as a QR code.

Erasure happens in the database alone (bot/db): who moves up on a waitlist and the edits
of staff's posts are written with it as durable rows that the running bot sends. Every
tool is written to the audit log, by staff member ``0`` (the command line) with
``via=cli`` and how the identity was checked. Phone numbers are never printed.

Known limits: a running bot's memory cannot be reached from here; a draft someone was
typing in the chat when they were erased is dropped by its conversation's 30-minute
timeout, and is never written anywhere. A translation an erased volunteer held goes back
to the open tasks in the database, but the other volunteers' messages are not given
their button again (the bot does that only after its own erasures); staff are told when
it is due, as for any task nobody took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.core.phones import normalise_phone
from bot.db.audit import AuditLog
from bot.db.lookup import Found, PersonLookup
from bot.db.mydata import PersonalDataRepository
from bot.db.people import JOIN_LINK_DAYS, PeopleRepository
from bot.db.residents import ResidentRepository
from bot.db.store import Store
from bot.offline.printing.request import SheetError, SlipRequest
from bot.offline.printing.username import UsernameError, bot_username

# The command line acts as this staff member in the audit log.
CLI_ACTOR = 0
MAX_CHECKED = 200


class PersonToolError(ValueError):
    """What was typed cannot be used; the message says why."""


def add_person_tool(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Describe ``python -m bot person ...`` on the command line."""
    person = commands.add_parser(
        "person",
        help="find someone who asks for their data, send it to them, or erase it",
        description="Answer a data request made by phone or at the desk.",
    )
    tools = person.add_subparsers(dest="person_command", required=True)
    find = tools.add_parser("find", help="find people by phone, first name or Telegram number")
    by = find.add_mutually_exclusive_group(required=True)
    by.add_argument("--phone", help="a phone number, as people write it")
    by.add_argument("--name", help="a first name, as on their sign-ups or record")
    by.add_argument("--telegram-id", type=int, help="a Telegram user number")
    for name, help_text in (
        ("export", "write everything Nabo stores about someone to a JSON file"),
        ("erase", "erase someone everywhere, as /deleteme does"),
    ):
        tool = tools.add_parser(name, help=help_text)
        tool.add_argument(
            "--person", required=True, help="who, as `find` names them: r:<number> or p:<number>"
        )
        tool.add_argument(
            "--checked", required=True, help="how you checked who is asking (audit log)"
        )
        tool.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        if name == "export":
            tool.add_argument("--out", type=Path, required=True, help="the .json file to write")
    slip = tools.add_parser(
        "slip",
        help="a new one-time joining link for someone without Telegram, and its slip to print",
        description="Make a new one-time joining link (the person's older link stops "
        "working) and write a slip to print: an A6 PDF in their language with the link as "
        "a QR code. The link is printed too, to send in a text message.",
    )
    slip.add_argument("--person", required=True, help="who, as `find` names them: p:<number>")
    slip.add_argument("--out", type=Path, required=True, help="the .pdf file to write")


def run_person_tool(
    arguments: argparse.Namespace,
    config: Config,
    *,
    clock: Clock | None = None,
    ask: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
) -> int:
    """Run ``person find | export | erase``; return the exit status."""
    try:
        return asyncio.run(_run(arguments, config, clock or Clock(), ask, out))
    except (PersonToolError, UsernameError, SheetError) as error:
        print(f"nabo: {error}", file=sys.stderr)
        return 2


async def _run(
    arguments: argparse.Namespace,
    config: Config,
    clock: Clock,
    ask: Callable[[str], str],
    out: TextIO,
) -> int:
    if not config.database_path.is_file():
        raise PersonToolError(f"{config.database_path}: no such database")
    store = await Store.open(config.database_path)
    try:
        lookup = PersonLookup(store)
        now = clock.now()
        if arguments.person_command == "find":
            if arguments.phone is not None:
                phone = normalise_phone(arguments.phone)
                if phone is None:
                    raise PersonToolError(f"{arguments.phone!r} is not a phone number")
                found = await lookup.by_phone(phone, now)
            elif arguments.name is not None:
                found = await lookup.by_name(arguments.name.strip(), now)
            else:
                found = await lookup.by_telegram_id(arguments.telegram_id, now)
            await AuditLog(store).record(
                CLI_ACTOR, "person.find", now, details=f"via=cli,found={len(found)}"
            )
            for item in found:
                print(describe(item), file=out)
            if not found:
                print("nobody found", file=out)
            return 0 if found else 1
        if arguments.person_command == "slip":
            return await _slip(store, arguments, config, now, out)
        checked = arguments.checked.strip()
        if not checked or len(checked) > MAX_CHECKED:
            raise PersonToolError(f"--checked: say how, in 1 to {MAX_CHECKED} characters")
        found_one = await _one(lookup, arguments.person, now)
        subject = "resident" if found_one.kind == "resident" else f"person:{found_one.id}"
        details = f"via=cli,checked={checked}"
        if arguments.person_command == "export":
            repo = PersonalDataRepository(store)
            export = await (
                repo.export(found_one.id, now)
                if found_one.kind == "resident"
                else repo.export_offline(found_one.id, now)
            )
            assert export is not None
            if not _confirmed(
                arguments, ask, f"Write everything about {describe(found_one)} to {arguments.out}?"
            ):
                print("nothing done", file=out)
                return 1
            arguments.out.parent.mkdir(parents=True, exist_ok=True)
            arguments.out.write_text(
                json.dumps(export, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            await AuditLog(store).record(
                CLI_ACTOR, "person.export", now, subject=subject, details=details
            )
            print(f"wrote {arguments.out}", file=out)
            return 0
        if not _confirmed(
            arguments, ask, f"Erase everything about {describe(found_one)}? It cannot be undone."
        ):
            print("nothing done", file=out)
            return 1
        if found_one.kind == "resident":
            gone = (
                await ResidentRepository(store, config.default_language).forget(found_one.id, now)
            ).found
        else:
            gone = (
                await PeopleRepository(store, config.default_language).forget(found_one.id, now)
            ).found
        if gone:
            await AuditLog(store).record(
                CLI_ACTOR, "person.erase", now, subject=subject, details=details
            )
        print(
            "erased; the running bot tells whoever moved up" if gone else "nobody to erase",
            file=out,
        )
        return 0 if gone else 1
    finally:
        await store.close()


async def _slip(
    store: Store, arguments: argparse.Namespace, config: Config, now: datetime, out: TextIO
) -> int:
    """Make a new joining link for someone without Telegram, and write its slip."""
    found = await _one(PersonLookup(store), arguments.person, now)
    if found.kind != "offline":
        raise PersonToolError(
            f"--person {arguments.person}: a slip is for someone without Telegram (p:<number>)"
        )
    if arguments.out.suffix.lower() != ".pdf":
        raise PersonToolError("--out must end in .pdf")
    # Asked first: without the bot's name there is no link to print, and no new link.
    username = bot_username(config)
    token = await PeopleRepository(store, config.default_language).new_join_link(found.id, now)
    if token is None:
        raise PersonToolError(f"--person {arguments.person}: nobody with that number")
    # Imported here: `python -m bot` builds this tool's arguments before it starts the bot,
    # which must not carry the printing libraries (tests/test_lean_imports.py).
    from bot.offline.printing.make import make_slip

    made = make_slip(
        config.database_path, SlipRequest(found.id, token), Catalogs(config.timezone), username, now
    )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(made.data)
    await AuditLog(store).record(
        CLI_ACTOR, "person.join_link", now, subject=f"person:{found.id}", details="via=cli"
    )
    print(
        f"wrote {arguments.out}; the link works once, for {JOIN_LINK_DAYS} days: {made.link}",
        file=out,
    )
    return 0


async def _one(lookup: PersonLookup, key: str, now: datetime) -> Found:
    kind, _, number = key.partition(":")
    if kind not in ("r", "p") or not number.isdigit():
        raise PersonToolError(
            f"--person {key!r}: write it as `find` shows it, r:<number> or p:<number>"
        )
    found = await (
        lookup.resident(int(number), now) if kind == "r" else lookup.offline(int(number), now)
    )
    if found is None:
        raise PersonToolError(f"--person {key}: nobody with that number")
    return found


def _confirmed(arguments: argparse.Namespace, ask: Callable[[str], str], question: str) -> bool:
    if arguments.yes:
        return True
    return ask(f"{question} Type yes to go on: ").strip().lower() == "yes"


def describe(found: Found) -> str:
    """One line about a match: key, name, how they are reached, coming activities."""
    how = "uses the chat" if found.kind == "resident" else f"not on Telegram, {found.area}"
    coming = "; ".join(f"{item.starts_at:%Y-%m-%d} {item.title_da}" for item in found.coming)
    return f"{found.key}  {found.name or '(no name)'}  ({how})  coming: {coming or '-'}"

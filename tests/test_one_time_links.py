"""One-time links (joining a record made on one's behalf, host invitations): typed, unguessable."""

import pytest

from bot.core.callback_data import ForgedButton
from bot.core.phones import normalise_phone, same_phone
from bot.core.start_links import MAX_PAYLOAD, HostInvitation, JoinLink, start_link
from bot.core.tokens import new_token, token_digest


def test_payloads_pack_and_parse_back() -> None:
    token = new_token()
    assert len(token) == 22
    join = JoinLink(token)
    assert join.pack() == f"join-{token}"
    assert JoinLink.parse(join.pack()) == join
    host = HostInvitation(token)
    assert host.pack() == f"host-{token}"
    assert HostInvitation.parse(host.pack()) == host
    assert len(HostInvitation.longest()) <= MAX_PAYLOAD
    assert start_link("@nabo_bot", join) == f"https://t.me/nabo_bot?start=join-{token}"


@pytest.mark.parametrize(
    "data",
    [
        "join-short",
        "join-" + "a" * 23,
        "join-" + "a" * 21 + "!",
        "host-" + "ø" * 22,
        "join " + "a" * 22,
        "nojoin-" + "a" * 22,
        "",
    ],
)
def test_forged_payloads_fit_no_kind(data: str) -> None:
    for kind in (JoinLink, HostInvitation):
        with pytest.raises(ForgedButton):
            kind.parse(data)


def test_tokens_are_random_and_stored_only_as_digests() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    token = tokens.pop()
    digest = token_digest(token)
    assert len(digest) == 64
    assert token not in digest
    assert digest == token_digest(token) != token_digest(tokens.pop())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12 34 56 78", "+4512345678"),
        ("+45 12 34 56 78", "+4512345678"),
        ("0045-12345678", "+4512345678"),
        ("4512345678", "+4512345678"),
        ("(+46) 70 123 45 67", "+46701234567"),
        ("+964 750 123 4567", "+9647501234567"),
    ],
)
def test_phone_numbers_are_stored_one_way(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "1234", "12345678901234567890", "ring mig", "+45 12 34 ab"])
def test_what_is_not_a_phone_number(typed: str) -> None:
    assert normalise_phone(typed) is None


def test_same_phone_compares_numbers_not_spelling() -> None:
    assert same_phone("+4512345678", "4512345678")
    assert same_phone("+4512345678", "12 34 56 78")
    assert not same_phone("+4512345678", "+4512345679")
    assert not same_phone("+4512345678", "")

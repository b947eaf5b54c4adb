"""What an engineer's address may be: properties of normalise_email over generated text."""

from __future__ import annotations

import unicodedata
from typing import Literal

from hypothesis import assume, given
from hypothesis import strategies as st

from syncer.core.projection import MAX_EMAIL, email_problem, normalise_email

REFUSED: tuple[Literal["Cc", "Cf", "Cs", "Zs", "Zl", "Zp"], ...] = (
    "Cc",
    "Cf",
    "Cs",
    "Zs",
    "Zl",
    "Zp",
)
# Parts of an address: any character but "@" and the refused kinds, ASCII and beyond.
part = st.text(
    st.characters(exclude_categories=REFUSED, exclude_characters="@"), min_size=1, max_size=60
)
invisible = st.characters(categories=REFUSED)


@given(local=part, domain=part)
def test_one_at_between_two_visible_parts_is_an_address(local: str, domain: str) -> None:
    """Any local part and domain without spaces or invisible characters make an address."""
    address = f"{local}@{domain}"
    assume(address == address.strip())

    assert normalise_email(address) == unicodedata.normalize("NFC", address).lower()


@given(local=part, domain=part, odd=invisible, where=st.integers(min_value=0))
def test_a_space_or_invisible_character_anywhere_inside_is_refused(
    local: str, domain: str, odd: str, where: int
) -> None:
    """U+202E, zero-width and space characters inside an address make it malformed."""
    address = f"{local}@{domain}"
    at = 1 + where % (len(address) - 1)  # strictly inside: a space at either end is trimmed
    mangled = address[:at] + odd + address[at:]

    assert normalise_email(mangled) is None
    assert "malformed email" in (email_problem(mangled) or "")


# Text an address could be mistaken for: ordinary characters, many "@", spaces and marks.
near_addresses = st.text(
    st.one_of(st.sampled_from("@@ \t\u202e\u200b.a"), st.characters()), max_size=300
)


@given(near_addresses)
def test_whatever_is_accepted_has_the_shape_of_an_address(text: str) -> None:
    """An accepted address has one @, two parts, no invisible character, <= 254 characters."""
    email = normalise_email(text)
    if email is None:
        assert email_problem(text) is not None  # every refusal says why
        return

    local, _, domain = email.partition("@")
    assert email.count("@") == 1
    assert local
    assert domain
    assert len(email) <= MAX_EMAIL
    assert not any(unicodedata.category(c) in REFUSED for c in email)


@given(local=part, domain=part)
def test_addresses_compare_case_insensitively_and_normalising_is_stable(
    local: str, domain: str
) -> None:
    """Normalising twice changes nothing, and an upper-cased ASCII address is the same one."""
    address = f"{local}@{domain}"
    email = normalise_email(address)
    assume(email is not None)

    assert normalise_email(email) == email
    if address.isascii():
        assert normalise_email(address.upper()) == email


@given(length=st.integers(min_value=MAX_EMAIL + 1, max_value=2 * MAX_EMAIL))
def test_an_address_longer_than_254_characters_is_refused(length: int) -> None:
    """Length counts: one character over the limit is a bad row that says so."""
    address = "a" * (length - len("@example.com")) + "@example.com"

    assert normalise_email(address) is None
    assert f"{length} characters" in (email_problem(address) or "")

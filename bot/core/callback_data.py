r"""Button data, defined once per kind of button: typed, built and parsed from that definition.

A kind of button is a small class with a prefix and typed fields, in the spirit of
aiogram's ``CallbackData``::

    class ShowActivity(ButtonData, prefix="act:s"):
        activity_id: Id

``ShowActivity(7).pack()`` gives ``"act:s:7"``; ``ShowActivity.parse("act:s:7")`` gives the
object back; ``ShowActivity.pattern()`` is the handler's pattern, ``^act:s:(\d{1,9})$``.
Each field says how it is written (its ``Part``): building checks every value against it
and the whole against Telegram's 64 bytes, so what is built can always be parsed, and
data that does not fit a definition (a forged button) is never mistaken for one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Self, dataclass_transform, get_type_hints


class ForgedButton(ValueError):
    """Data that fits no definition: forged, or from a version of Nabo long gone."""


@dataclass(frozen=True, slots=True)
class Part:
    """How one field is written in button data: what it looks like, read and written."""

    regex: str  # one value, without groups of its own
    longest: str  # the longest value it can have, for the 64-byte check
    read: Callable[[str], object] = str
    write: Callable[[Any], str] = str

    def text(self, value: object) -> str:
        """Write ``value``; refuse one that would not read back."""
        written = self.write(value)
        if re.fullmatch(self.regex, written) is None:
            raise ValueError(f"{value!r} does not fit button data /{self.regex}/")
        return written


def digits(most: int) -> Part:
    """Write a whole number of 1 to ``most`` digits."""
    return Part(rf"\d{{1,{most}}}", "9" * most, int)


def one_of(*words: str) -> Part:
    """Write one of a few fixed words (kept in this order in the pattern)."""
    return Part("|".join(re.escape(word) for word in words), max(words, key=len))


def hex_token(length: int) -> Part:
    """Write a token of ``length`` lower-case hex digits."""
    return Part(f"[0-9a-f]{{{length}}}", "f" * length)


def _flag_text(value: bool) -> str:
    return "1" if value else "0"


FLAG = Part("[01]", "1", lambda text: text == "1", _flag_text)

# The kinds of field most buttons use.
Id = Annotated[int, digits(9)]  # a database id
Flag = Annotated[bool, FLAG]
Count = Annotated[int, digits(2)]  # people in a household, an index in a short list


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    part: Part
    optional: bool  # may be left out at the end (``None``)


@dataclass_transform(frozen_default=True)
class PackedData:
    """Typed data packed into a short text: a family's base (see ``ButtonData``)."""

    prefix: ClassVar[str]
    # How a family writes its data: between fields, at most how long, of which characters.
    separator: ClassVar[str]
    max_bytes: ClassVar[int]
    alphabet: ClassVar[str]  # a character class every character must be in

    def __init_subclass__(cls, prefix: str | None = None, **kwargs: Any) -> None:
        """Make a kind (a subclass with a prefix) a frozen dataclass; a family needs none."""
        super().__init_subclass__(**kwargs)
        if prefix is None:
            return
        cls.prefix = prefix
        dataclass(frozen=True)(cls)

    @classmethod
    @cache
    def _fields(cls) -> tuple[_Field, ...]:
        hints = get_type_hints(cls, include_extras=True)
        found = []
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            parts = [
                meta
                for meta in getattr(hints[field.name], "__metadata__", ())
                if isinstance(meta, Part)
            ]
            if len(parts) != 1:
                raise TypeError(f"{cls.__name__}.{field.name} needs one Part in Annotated[...]")
            optional = field.default is None
            found.append(_Field(field.name, parts[0], optional))
        if any(f.optional for f in found[:-1]):
            raise TypeError(f"{cls.__name__}: only the last field may be left out")
        return tuple(found)

    def pack(self) -> str:
        """Build the callback data; refuse values that would not parse back or fit 64 bytes."""
        texts = [self.prefix]
        for field in self._fields():
            value = getattr(self, field.name)
            if value is None and field.optional:
                continue
            texts.append(field.part.text(value))
        data = self.separator.join(texts)
        if len(data.encode()) > self.max_bytes:
            raise ValueError(f"{type(self).__name__} data over {self.max_bytes} bytes: {data!r}")
        if re.fullmatch(f"{self.alphabet}*", data) is None:
            raise ValueError(f"{type(self).__name__} data with a character not allowed: {data!r}")
        return data

    @classmethod
    def parse(cls, data: str | None) -> Self:
        """Read callback data of this kind; raise ForgedButton if it is not one."""
        # The same test as the handler's pattern (a trailing newline included), so that
        # whatever a handler took, it can read.
        match = cls._regex().match(data or "")
        if match is None:
            raise ForgedButton(f"not {cls.__name__} data")
        values = {
            field.name: None if text is None else field.part.read(text)
            for field, text in zip(cls._fields(), match.groups(), strict=True)
        }
        build: Callable[..., Self] = cls
        return build(**values)

    @classmethod
    def pattern(cls, **fixed: object) -> re.Pattern[str]:
        """Return the handler pattern: any data of this kind, or with some fields fixed."""
        return re.compile(f"^{cls._source(fixed)}$")

    @classmethod
    def longest(cls) -> str:
        """Return the longest data this kind can have (for the 64-byte check)."""
        return cls.separator.join([cls.prefix, *(field.part.longest for field in cls._fields())])

    @classmethod
    @cache
    def _regex(cls) -> re.Pattern[str]:
        return cls.pattern()

    @classmethod
    def _source(cls, fixed: dict[str, object]) -> str:
        source = re.escape(cls.prefix)
        for field in cls._fields():
            if field.name in fixed:
                value = re.escape(field.part.text(fixed[field.name]))
            else:
                value = f"({field.part.regex})"
            if field.optional:
                source += f"(?:{re.escape(cls.separator)}{value})?"
            else:
                source += f"{re.escape(cls.separator)}{value}"
        unknown = set(fixed) - {field.name for field in cls._fields()}
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        return source


class ButtonData(PackedData):
    """One kind of button: a prefix and typed fields (see the module's docstring)."""

    # Telegram's limit for a button's callback data; Nabo's data is short ASCII.
    separator = ":"
    max_bytes = 64
    alphabet = "[ -~]"

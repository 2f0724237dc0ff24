"""An enumeration whose members carry their label: `ARREST = "arrest", tr_noop("Arrest")`.

The value a file or a project stores and the words a user reads stand on one row, so a member
cannot be added without its label, and the labels need no second table keyed by member. A
member may add a short label for tight places (a chart legend): `..., tr_noop("Small supply")`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from layers.i18n import tr

E = TypeVar("E", bound="LabelledEnum")


class LabelledEnum(StrEnum):
    """A StrEnum whose members are declared as (value, label marked with tr_noop)."""

    msgid: str  # the label in English; `label` translates it
    short_msgid: str  # the short label in English (the label where none is given)

    def __new__(cls, value: str, msgid: str, short_msgid: str | None = None) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid
        member.short_msgid = short_msgid or msgid
        return member

    @property
    def label(self) -> str:
        """The member's name in the active language (translated where shown, not at import)."""
        return tr(self.msgid)

    @property
    def short_label(self) -> str:
        """The short name in the active language, for legends and narrow columns."""
        return tr(self.short_msgid)


def label_table(enum: type[E]) -> dict[E, str]:
    """{member: its English label} for code that looks labels up by member."""
    return {member: member.msgid for member in enum}

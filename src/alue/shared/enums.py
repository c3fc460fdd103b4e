"""Small helpers shared by the domain enumerations."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum


def db_enum(enum_cls: type[StrEnum], name: str) -> SAEnum:
    """Store a StrEnum by its *value* as a VARCHAR with a CHECK constraint (portable across databases)."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )

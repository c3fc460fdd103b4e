"""confirmed job titles for the occupation coder; who coded a vacancy's occupation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("occupation_source", sa.String(length=10), server_default="employer", nullable=False)
        )
        batch_op.add_column(sa.Column("occupation_score", sa.Float(), nullable=True))

    op.create_table(
        "confirmed_title",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_key", sa.String(length=200), nullable=False),
        sa.Column("esco_uri", sa.String(length=120), nullable=False),
        sa.Column("esco_version", sa.String(length=10), nullable=False),
        sa.Column("isco4", sa.String(length=4), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["app_user.id"],
            name=op.f("fk_confirmed_title_confirmed_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmed_title")),
        sa.UniqueConstraint("title_key", name=op.f("uq_confirmed_title_title_key")),
    )


def downgrade() -> None:
    op.drop_table("confirmed_title")
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.drop_column("occupation_score")
        batch_op.drop_column("occupation_source")

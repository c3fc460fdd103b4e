"""audit_subject: the persons an audit row lists (searches, worklists, candidate lists), for access reports

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_subject",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=op.f("pk_audit_subject")),
    )
    with op.batch_alter_table("audit_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_subject_person_id"), ["person_id"], unique=False)
    _index_existing_rows()
    _append_only()


def _index_existing_rows() -> None:
    """The rows written before this migration list their persons in the details only: index them."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, details FROM audit_log WHERE details LIKE '%\"person_ids\"%'"))
    subject = sa.table("audit_subject", sa.column("event_id", sa.Integer), sa.column("person_id", sa.Integer))
    pending: list[dict[str, int]] = []
    for event_id, details in rows:
        ids = json.loads(details).get("person_ids") or []
        pending.extend({"event_id": event_id, "person_id": int(p)} for p in sorted(set(ids)))
        if len(pending) >= 5000:
            bind.execute(sa.insert(subject), pending)
            pending = []
    if pending:
        bind.execute(sa.insert(subject), pending)


def _append_only() -> None:
    """Like the audit log itself, its index refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_subject_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_subject is append-only (% refused)', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_subject_append_only BEFORE UPDATE OR DELETE ON audit_subject "
            "FOR EACH ROW EXECUTE FUNCTION audit_subject_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_subject_no_truncate BEFORE TRUNCATE ON audit_subject "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_subject_refuse_change()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_subject_no_update BEFORE UPDATE ON audit_subject "
            "BEGIN SELECT RAISE(ABORT, 'audit_subject is append-only (UPDATE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_subject_no_delete BEFORE DELETE ON audit_subject "
            "BEGIN SELECT RAISE(ABORT, 'audit_subject is append-only (DELETE refused)'); END"
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_subject_person_id"))
    op.drop_table("audit_subject")  # drops its triggers too
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_subject_refuse_change()")

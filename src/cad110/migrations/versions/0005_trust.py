"""trust: keyed event hashes, chain heads, the personal-data access log, login throttling

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 04:00:30.728002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES_0001 = ("calltaker", "dispatcher", "officer", "leader", "analyst", "admin")


def _replace_role_check(roles: Sequence[str]) -> None:
    condition = f"role IN ({', '.join(repr(v) for v in roles)})"
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), condition)


def upgrade() -> None:
    _replace_role_check((*ROLES_0001, "auditor"))
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_access_log_subject", ["subject_type", "subject_id", "at"], unique=False
        )
        batch_op.create_index("ix_access_log_user", ["username", "at"], unique=False)
    _append_only("access_log")

    op.create_table(
        "event_heads",
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", name=op.f("pk_event_heads")),
    )
    with op.batch_alter_table("event_heads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_heads_updated_at"), ["updated_at"], unique=False)
    # Every chain written before this revision gets its head.
    op.execute(
        """
        INSERT INTO event_heads (subject_type, subject_id, seq, hash, updated_at)
        SELECT e.subject_type, e.subject_id, e.seq, e.hash, e.occurred_at
        FROM events e
        WHERE e.seq = (
            SELECT max(l.seq) FROM events l
            WHERE l.subject_type = e.subject_type AND l.subject_id = e.subject_id
        )
        """
    )

    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    # A plain ADD COLUMN (no table rebuild), so the event log keeps its rows and triggers.
    op.add_column(
        "events", sa.Column("key_id", sa.String(length=16), server_default="", nullable=False)
    )
    op.add_column(
        "users",
        sa.Column("password_changed_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
    )
    _general_idempotency_keys()


def _general_idempotency_keys() -> None:
    """Every create honours Idempotency-Key, not only an incident's: a key keeps the answer
    itself (status, body) instead of the incident it made. Keys live a day; those of incident
    creates made before this revision are let go."""
    op.execute("DELETE FROM idempotency_keys")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_idempotency_keys_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_column("incident_id")
        batch_op.alter_column(
            "endpoint",
            existing_type=sa.String(length=64),
            type_=sa.String(length=160),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("media_type", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("response", sa.LargeBinary(), nullable=True))
        batch_op.create_index(
            "ix_idempotency_keys_user_created", ["user_id", "created_at"], unique=False
        )


def _incident_idempotency_keys() -> None:
    op.execute("DELETE FROM idempotency_keys")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_user_created")
        batch_op.drop_column("response")
        batch_op.drop_column("media_type")
        batch_op.drop_column("status")
        batch_op.alter_column(
            "endpoint",
            existing_type=sa.String(length=160),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=False))
        batch_op.create_foreign_key(
            op.f("fk_idempotency_keys_incident_id_incidents"), "incidents", ["incident_id"], ["id"]
        )


def downgrade() -> None:
    _incident_idempotency_keys()
    op.execute("DELETE FROM users WHERE role = 'auditor'")
    _replace_role_check(ROLES_0001)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
    # SQLite rebuilds the table to drop a column, and the rebuild takes the triggers with it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
    if sqlite:
        _append_only("events")
    op.drop_table("login_throttle")
    with op.batch_alter_table("event_heads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_heads_updated_at"))
    op.drop_table("event_heads")
    _drop_append_only("access_log")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_user")
        batch_op.drop_index("ix_access_log_subject")
        batch_op.drop_index("ix_access_log_at")
    op.drop_table("access_log")


# Like the event log (0001), the access log is append-only in the database itself.
def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only ({verb} refused)'); END"
        )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")

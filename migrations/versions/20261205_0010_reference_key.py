"""reference key: one dossier per reference, whatever its case or character forms

Revision ID: 0010_reference_key
Revises: 0009_incident_until
Create Date: 2026-12-05 21:00:00

`MET-0001`, `met-0001` and the full-width `ＭＥＴ-0001` were three dossiers. Each dossier now
stores its reference's key (dossiers.parsing.reference_key: NFKC, case folded), unique.

Existing rows get the key of their reference. When two existing references share a key (two
dossiers the old rules let in), none is changed or lost: the oldest dossier (smallest id) keeps
the plain key, and each later one gets its key followed by a control character (U+001F, which no
reference may contain) and its id, so that the index stays unique. Each such dossier keeps its
reference and is still found by it exactly (`show met-0001`), and a new dossier of that
reference, in any form, is refused as the same reference as the oldest one. The migration
names them in Alembic's log ("reference key shared: …").

Downgrade drops the key.
"""
import logging
import unicodedata
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010_reference_key'
down_revision: Union[str, Sequence[str], None] = '0009_incident_until'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SHARED = "\x1f"
log = logging.getLogger("alembic.runtime.migration")


def _key(reference: str) -> str:
    """dossiers.parsing.reference_key as of this revision (a migration never changes)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", reference).casefold())


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_key', sa.String(length=256), nullable=True))
    connection = op.get_bind()
    dossiers = sa.table('dossiers', sa.column('id', sa.Integer),
                        sa.column('reference', sa.String), sa.column('reference_key', sa.String))
    keys: dict[str, str] = {}
    updates = []
    for dossier_id, reference in connection.execute(
            sa.select(dossiers.c.id, dossiers.c.reference).order_by(dossiers.c.id)):
        key = _key(reference)
        if key in keys:
            log.warning("reference key shared: %r (id %s) is the same reference as %r; kept, "
                        "found by its exact reference", reference, dossier_id, keys[key])
            key = f"{key}{SHARED}{dossier_id}"
        else:
            keys[key] = reference
        updates.append({"row_id": dossier_id, "key": key})
    if updates:
        connection.execute(dossiers.update().where(dossiers.c.id == sa.bindparam("row_id"))
                           .values(reference_key=sa.bindparam("key")), updates)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('reference_key', existing_type=sa.String(length=256),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_dossiers_reference_key'),
                                          ['reference_key'])


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_dossiers_reference_key'), type_='unique')
        batch_op.drop_column('reference_key')

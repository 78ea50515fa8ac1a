"""timeline intervals: a stored schedule holds until the next end of a running mission

Revision ID: 0013_timeline_intervals
Revises: 0012_agency_row_security
Create Date: 2026-12-05 22:00:00

`timelines.valid_until`: a stored schedule holds over [valid_from, valid_until), up to the next
end of a mission still running (None: for ever), so that a dossier with a mission under way
is no longer recomputed from its facts every day (store/steps.py, `interval`). The stamp's
engine version changes with it: every stored timeline is recomputed by the next command's
self-healing (`dossiers init` after the upgrade), none is read with the old meaning.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_timeline_intervals'
down_revision: Union[str, Sequence[str], None] = '0012_agency_row_security'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_timelines_valid_until'), ['valid_until'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timelines_valid_until'))
        batch_op.drop_column('valid_until')

"""incident until: the last day of a sick leave, so that a `maladie` incident counts only when
the leave overlaps the mission window (I-EXCUSE-IN-WINDOW)

Revision ID: 0009_incident_until
Revises: 0008_outbox_retries
Create Date: 2026-12-05 21:00:00

The incidents already recorded keep no end: the engine reads such a sick leave as its first
day only, and `explain` says the end is to be entered (`incident … --until`). The stored
schedules are stale with the engine that wrote them (store/steps.py) and are recomputed.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_incident_until'
down_revision: Union[str, Sequence[str], None] = '0008_outbox_retries'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('until_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('until_on')

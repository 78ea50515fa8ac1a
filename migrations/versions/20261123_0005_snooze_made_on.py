"""snooze made_on: the day a snooze was asked for, so that the view of an earlier day
(--as-of, I-AS-OF-KNOWS-PAST) does not know it

Revision ID: 0005_snooze_made_on
Revises: 0004_rule_data
Create Date: 2026-11-23 11:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_snooze_made_on'
down_revision: Union[str, Sequence[str], None] = '0004_rule_data'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add snoozes.made_on, filled from the day of created_at for the rows already there."""
    with op.batch_alter_table('snoozes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_on', sa.Date(), nullable=True))
    snoozes = sa.table('snoozes', sa.column('made_on', sa.Date()),
                       sa.column('created_at', sa.DateTime()))
    op.execute(snoozes.update().values(made_on=sa.cast(snoozes.c.created_at, sa.Date())))
    with op.batch_alter_table('snoozes', schema=None) as batch_op:
        batch_op.alter_column('made_on', existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('snoozes', schema=None) as batch_op:
        batch_op.drop_column('made_on')

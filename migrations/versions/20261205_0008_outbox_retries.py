"""outbox retries: a lease end for each claim, and the first attempt of each message

Revision ID: 0008_outbox_retries
Revises: 0007_stored_schedules
Create Date: 2026-12-05 21:00:00

A message being sent holds a claim until `lease_until` (renewed by its sender; `outbox` shows
it); a message refused for a while becomes `failed` once its attempts or the time since its
`first_attempt_at` reach their bounds. Two new states use the existing `status` column:
`uncertain` (the line dropped after the message's data: resent with the same Message-ID) and
`superseded` (a newer digest for the same person carries its items).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008_outbox_retries'
down_revision: Union[str, Sequence[str], None] = '0007_stored_schedules'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_attempt_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    outbox = sa.table('outbox', sa.column('status', sa.String()))
    # The states this revision added mean nothing before it: what was uncertain waits again,
    # what was superseded is kept as failed (it must not go out).
    op.execute(outbox.update().where(outbox.c.status == 'uncertain').values(status='pending'))
    op.execute(outbox.update().where(outbox.c.status == 'superseded').values(status='failed'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('first_attempt_at')
        batch_op.drop_column('lease_until')

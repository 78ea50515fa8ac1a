"""reminders outbox and snoozes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:54:16.264028

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('recipient_name', sa.String(length=120), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claim', sa.String(length=64), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('day', 'recipient', name='uq_outbox_day_recipient'),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    op.create_table('reminder_runs',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('composed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_reminder_runs'))
    )
    op.create_table('outbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_outbox_items_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox.id'], name=op.f('fk_outbox_items_message_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_items'))
    )
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_items_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_items_message_id'), ['message_id'], unique=False)

    op.create_table('snoozes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_snoozes_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snoozes'))
    )
    with op.batch_alter_table('snoozes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snoozes_dossier_id'), ['dossier_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('snoozes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snoozes_dossier_id'))

    op.drop_table('snoozes')
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_items_message_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_items_dossier_id'))

    op.drop_table('outbox_items')
    op.drop_table('reminder_runs')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_day'))

    op.drop_table('outbox')

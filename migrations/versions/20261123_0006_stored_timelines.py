"""stored timelines: the timelines and steps tables

Revision ID: 0006_stored_timelines
Revises: 0005_snooze_made_on
Create Date: 2026-11-23 11:50:00

The tables are created empty; the first command that finds a dossier without a current
stored timeline computes it (store/steps.py), and `dossiers init` does so for every dossier
right after the upgrade, in the same transaction.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006_stored_timelines'
down_revision: Union[str, Sequence[str], None] = '0005_snooze_made_on'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('timelines',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=False),
    sa.Column('holidays', sa.String(length=32), nullable=False),
    sa.Column('rules', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_timelines_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_timelines'))
    )
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timelines_engine'), ['engine'], unique=False)
        batch_op.create_index(batch_op.f('ix_timelines_valid_from'), ['valid_from'], unique=False)

    op.create_table('steps',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('opens', sa.Date(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('at_risk_from', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_steps_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', 'code', name=op.f('pk_steps'))
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steps_at_risk_from'), ['at_risk_from'], unique=False)
        batch_op.create_index('ix_steps_finished_due', ['finished', 'due'], unique=False)
        batch_op.create_index('ix_steps_finished_opens', ['finished', 'opens'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index('ix_steps_finished_opens')
        batch_op.drop_index('ix_steps_finished_due')
        batch_op.drop_index(batch_op.f('ix_steps_at_risk_from'))
    op.drop_table('steps')
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timelines_valid_from'))
        batch_op.drop_index(batch_op.f('ix_timelines_engine'))
    op.drop_table('timelines')

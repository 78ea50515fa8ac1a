"""stored schedules: what a status on any day needs, without the facts

Revision ID: 0007_stored_schedules
Revises: 0006_stored_timelines
Create Date: 2026-11-23 15:00:00

The engine now stores each dossier's whole schedule (deadlines/timeline.py): how each step's
status follows, its position, the hours done, the missing documents, and the alerts in their
place (the `timeline_alerts` table), so that deadlines/status.py sees it on any day without
the dossier's facts. The stored rows are derived data, all stale with the engine that wrote
them: the tables are made anew, empty, and `dossiers init` fills them right after the
upgrade, in the same transaction (as 0006 did).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007_stored_schedules'
down_revision: Union[str, Sequence[str], None] = '0006_stored_timelines'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _drop(tables: Sequence[str]) -> None:
    if 'steps' in tables:
        with op.batch_alter_table('steps', schema=None) as batch_op:
            batch_op.drop_index('ix_steps_finished_opens')
            batch_op.drop_index('ix_steps_finished_due')
            batch_op.drop_index(batch_op.f('ix_steps_at_risk_from'))
        op.drop_table('steps')
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timelines_valid_from'))
        batch_op.drop_index(batch_op.f('ix_timelines_engine'))
    op.drop_table('timelines')
    if 'timeline_alerts' in tables:
        op.drop_table('timeline_alerts')


def _create(new: bool) -> None:
    extra_timeline = [
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('mission_hours', sa.String(length=32), nullable=False),
        sa.Column('drf_redo', sa.Boolean(), nullable=True),
    ] if new else []
    op.create_table('timelines',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=False),
    sa.Column('holidays', sa.String(length=32), nullable=False),
    sa.Column('rules', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    *extra_timeline,
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_timelines_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_timelines'))
    )
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timelines_engine'), ['engine'], unique=False)
        batch_op.create_index(batch_op.f('ix_timelines_valid_from'), ['valid_from'], unique=False)
    extra_step = [
        sa.Column('track', sa.String(length=16), nullable=False),
        sa.Column('hours_done', sa.String(length=32), nullable=True),
        sa.Column('missing', sa.Text(), nullable=False),
    ] if new else []
    op.create_table('steps',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    *([sa.Column('position', sa.Integer(), nullable=False)] if new else []),
    sa.Column('opens', sa.Date(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    *extra_step,
    sa.Column('at_risk_from', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_steps_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', 'code', name=op.f('pk_steps'))
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steps_at_risk_from'), ['at_risk_from'], unique=False)
        batch_op.create_index('ix_steps_finished_due', ['finished', 'due'], unique=False)
        batch_op.create_index('ix_steps_finished_opens', ['finished', 'opens'], unique=False)
    if new:
        op.create_table('timeline_alerts',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('step', sa.String(length=32), nullable=True),
        sa.Column('on', sa.Date(), nullable=True),
        sa.Column('pace', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_timeline_alerts_dossier_id_dossiers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', 'position', name=op.f('pk_timeline_alerts'))
        )


def upgrade() -> None:
    _drop(('steps',))
    _create(new=True)


def downgrade() -> None:
    _drop(('steps', 'timeline_alerts'))
    _create(new=False)

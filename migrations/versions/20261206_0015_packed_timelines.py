"""packed timelines: one row per dossier holds its whole stored schedule

Revision ID: 0015_packed_timelines
Revises: 0014_web_roles
Create Date: 2026-12-06 00:00:00

A dossier's stored schedule was its `timelines` row plus about nine rows of `steps` and
`timeline_alerts`; the daily commands read all of them back. It is now one column of the
`timelines` row (`schedule`, packed by store/packed.py), with the few dates SQL needs to choose
the dossiers a daily command looks at (store/steps.py `candidates`). The stored rows are
derived data, all stale with the engine that wrote them (the stamp's engine version changes
with the format): they are deleted here, and `dossiers init` fills them again right after the
upgrade. On PostgreSQL the `timelines` table keeps its row-level security policy; the two
tables dropped take theirs with them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from dossiers.store import access


revision: str = '0015_packed_timelines'
down_revision: Union[str, Sequence[str], None] = '0014_web_roles'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DATES = ('first_due', 'last_due', 'first_opens', 'last_opens', 'at_risk_from', 'span_first',
         'span_last')
INDEXED = ('first_due', 'at_risk_from')


def upgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index('ix_steps_finished_opens')
        batch_op.drop_index('ix_steps_finished_due')
        batch_op.drop_index(batch_op.f('ix_steps_at_risk_from'))
    op.drop_table('steps')
    op.drop_table('timeline_alerts')
    op.execute('DELETE FROM timelines')
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        batch_op.drop_column('mission_hours')
        batch_op.drop_column('drf_redo')
        batch_op.add_column(sa.Column('schedule', sa.Text(), nullable=False))
        for name in DATES:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        for name in INDEXED:
            batch_op.create_index(batch_op.f(f'ix_timelines_{name}'), [name], unique=False)


def downgrade() -> None:
    op.execute('DELETE FROM timelines')
    with op.batch_alter_table('timelines', schema=None) as batch_op:
        for name in INDEXED:
            batch_op.drop_index(batch_op.f(f'ix_timelines_{name}'))
        for name in reversed(DATES):
            batch_op.drop_column(name)
        batch_op.drop_column('schedule')
        batch_op.add_column(sa.Column('drf_redo', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('mission_hours', sa.String(length=32), nullable=False))
    op.create_table(
        'timeline_alerts',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('step', sa.String(length=32), nullable=True),
        sa.Column('on', sa.Date(), nullable=True),
        sa.Column('pace', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'],
                                name=op.f('fk_timeline_alerts_dossier_id_dossiers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', 'position', name=op.f('pk_timeline_alerts')),
    )
    op.create_table(
        'steps',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('opens', sa.Date(), nullable=True),
        sa.Column('due', sa.Date(), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('finished', sa.Boolean(), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('track', sa.String(length=16), nullable=False),
        sa.Column('hours_done', sa.String(length=32), nullable=True),
        sa.Column('missing', sa.Text(), nullable=False),
        sa.Column('at_risk_from', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'],
                                name=op.f('fk_steps_dossier_id_dossiers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', 'code', name=op.f('pk_steps')),
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steps_at_risk_from'), ['at_risk_from'],
                              unique=False)
        batch_op.create_index('ix_steps_finished_due', ['finished', 'due'], unique=False)
        batch_op.create_index('ix_steps_finished_opens', ['finished', 'opens'], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql' and access.has_mapping(connection):
        # Walled off again as migration 0012 left them: a step's row, by its dossier's.
        access.protect(connection, list(access.RETIRED))

"""rule data: two bilans, tutor hours, L&C share, CDPI seniority

The single bilan of the first schema becomes the positioning bilan (R-CIPI-BILAN,
R-CDPI-BILAN: positioning and evaluation are two bilans of 14 h at most each); its hours
are kept as positioning hours (I-BILAN-MIGRATION). New columns: evaluation hours, tutor
training hours (R-CIPI-FUND), the share of basic-skills content (R-L&C) and the hours of
seniority in the branch (R-CDPI-ELIG). Going down folds both bilans back into one, so the
flat-rate estimate of the older version stays the same.

Revision ID: 0004_rule_data
Revises: 0003
Create Date: 2026-11-23 11:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004_rule_data'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('bilan_minutes', new_column_name='positioning_minutes',
                              existing_type=sa.Integer(), existing_nullable=True)
        batch_op.add_column(sa.Column('evaluation_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tutor_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('basic_skills_basis_points', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seniority_minutes', sa.Integer(), nullable=True))


def downgrade() -> None:
    dossiers = sa.table('dossiers', sa.column('positioning_minutes', sa.Integer()),
                        sa.column('evaluation_minutes', sa.Integer()))
    op.execute(dossiers.update()
               .where(dossiers.c.evaluation_minutes.is_not(None))
               .values(positioning_minutes=sa.func.coalesce(dossiers.c.positioning_minutes, 0)
                       + dossiers.c.evaluation_minutes))
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('seniority_minutes')
        batch_op.drop_column('basic_skills_basis_points')
        batch_op.drop_column('tutor_minutes')
        batch_op.drop_column('evaluation_minutes')
        batch_op.alter_column('positioning_minutes', new_column_name='bilan_minutes',
                              existing_type=sa.Integer(), existing_nullable=True)

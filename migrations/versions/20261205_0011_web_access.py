"""web access: one-time sign-in links and calendar subscriptions

Revision ID: 0011_web_access
Revises: 0010_reference_key
Create Date: 2026-12-05 21:00:00

The managers' web view (`dossiers serve`) signs people in by a link sent by mail, used once
within 15 minutes, and serves each owner's deadlines at a secret calendar address. Both tokens
are 128-bit random values stored only as their SHA-256 (`token_hash`): the database never
holds a usable link. A calendar subscription also keeps the token sealed with the server's
private key (`sealed`, `nonce`), so that its owner's page can show the address again; without
that key (kept outside the database) the sealed value is useless. One subscription per owner.
The new staff role `admin` needs no schema change (`staff.role` is free text of 16).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011_web_access'
down_revision: Union[str, Sequence[str], None] = '0010_reference_key'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'sign_in_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_sign_in_links_staff_id_staff'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_links_token_hash')),
    )
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_links_staff_id'), ['staff_id'], unique=False)
    op.create_table(
        'calendar_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.String(length=64), nullable=True),
        sa.Column('nonce', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_calendar_subscriptions_staff_id_staff'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_subscriptions')),
        sa.UniqueConstraint('staff_id', name=op.f('uq_calendar_subscriptions_staff_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_subscriptions_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('calendar_subscriptions')
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_links_staff_id'))
    op.drop_table('sign_in_links')

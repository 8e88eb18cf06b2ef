"""classes, memberships and assignments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classroom',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('join_code', sa.String(length=12), nullable=False),
    sa.Column('board_names', sa.String(length=16), nullable=False),
    sa.Column('board_hidden', sa.Boolean(), nullable=False),
    sa.Column('board_frozen_at', sa.DateTime(), nullable=True),
    sa.Column('board_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['teacher_id'], ['account.id'], name=op.f('fk_classroom_teacher_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom')),
    sa.UniqueConstraint('join_code', name=op.f('uq_classroom_join_code'))
    )
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.String(length=64), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_assignment_bank_id_bank'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_assignment_classroom_id_classroom'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_classroom_id'), ['classroom_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_membership_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_membership_classroom_id_classroom'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('classroom_id', 'account_id', name=op.f('uq_membership_classroom_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attempt_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_assignment_id_assignment'), 'assignment', ['assignment_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_assignment_id_assignment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempt_assignment_id'))
        batch_op.drop_column('assignment_id')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_account_id'))

    op.drop_table('membership')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_classroom_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classroom_teacher_id'))

    op.drop_table('classroom')

"""spaced review: review cards, and review attempts that belong to no one bank

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('memory', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('missed_at', sa.DateTime(), nullable=True),
    sa.Column('last_review_at', sa.DateTime(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_review_card_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_review_card_bank_id_bank'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_review_card_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_card')),
    sa.UniqueConstraint('account_id', 'question_id', name=op.f('uq_review_card_account_id'))
    )
    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.create_index('ix_review_card_account_due', ['account_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_card_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_card_question_id'), ['question_id'], unique=False)

    # a review attempt asks due questions of any bank: it has no bank of its own
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('bank_id', existing_type=sa.String(length=64), nullable=True)
    # at most one unfinished review per student: two starts at once make one
    where = sa.text("kind = 'review' AND finished_at IS NULL")
    op.create_index('uq_attempt_open_review', 'attempt', ['account_id'], unique=True,
                    sqlite_where=where, postgresql_where=where)


def downgrade():
    op.drop_index('uq_attempt_open_review', table_name='attempt')
    op.execute("DELETE FROM attempt WHERE bank_id IS NULL")
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('bank_id', existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_card_question_id'))
        batch_op.drop_index(batch_op.f('ix_review_card_bank_id'))
        batch_op.drop_index('ix_review_card_account_due')

    op.drop_table('review_card')

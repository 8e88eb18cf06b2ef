"""teacher control: assignment options, accommodations, mark changes; attempts outlive
their assignment

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accommodation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('extra_time_percent', sa.Integer(), nullable=False),
    sa.Column('extra_attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_accommodation_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_accommodation_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accommodation')),
    sa.UniqueConstraint('assignment_id', 'account_id', name=op.f('uq_accommodation_assignment_id'))
    )
    with op.batch_alter_table('accommodation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accommodation_account_id'), ['account_id'], unique=False)

    op.create_table('mark_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('old_score', sa.Double(), nullable=False),
    sa.Column('new_score', sa.Double(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_mark_change_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['account.id'], name=op.f('fk_mark_change_changed_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mark_change'))
    )
    with op.batch_alter_table('mark_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mark_change_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mark_change_changed_by_id'), ['changed_by_id'], unique=False)

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.Text(), nullable=True))

    # Assignment ids are never reused (on SQLite that takes AUTOINCREMENT, so the table is
    # rebuilt there): the attempts of a deleted assignment keep its id as their scope.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('assignment', schema=None, recreate='always' if sqlite else 'auto',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('show_answers', sa.String(length=16), nullable=False, server_default='immediately'))
        batch_op.add_column(sa.Column('close_at_due', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('shuffle_questions', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('question_count', sa.Integer(), nullable=True))

    with op.batch_alter_table('assignment', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('show_answers', server_default=None)
        batch_op.alter_column('close_at_due', server_default=None)
        batch_op.alter_column('shuffle_questions', server_default=None)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_assignment_id_assignment'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_attempt_assignment_id_assignment'), 'assignment', ['assignment_id'], ['id'], ondelete='SET NULL')



def downgrade():
    # attempts of deleted assignments cannot point back at them: they are deleted, as before
    op.execute("DELETE FROM answer WHERE attempt_id IN (SELECT id FROM attempt "
               "WHERE assignment_id IS NULL AND scope <> 0)")
    op.execute("DELETE FROM attempt_question WHERE attempt_id IN (SELECT id FROM attempt "
               "WHERE assignment_id IS NULL AND scope <> 0)")
    op.execute("DELETE FROM attempt WHERE assignment_id IS NULL AND scope <> 0")
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_assignment_id_assignment'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_attempt_assignment_id_assignment'), 'assignment', ['assignment_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('question_count')
        batch_op.drop_column('shuffle_questions')
        batch_op.drop_column('close_at_due')
        batch_op.drop_column('show_answers')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('comment')

    with op.batch_alter_table('mark_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mark_change_changed_by_id'))
        batch_op.drop_index(batch_op.f('ix_mark_change_answer_id'))

    op.drop_table('mark_change')
    with op.batch_alter_table('accommodation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accommodation_account_id'))

    op.drop_table('accommodation')

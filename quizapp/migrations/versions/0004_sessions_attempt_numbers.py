"""sign-in sessions kept on the server; attempts numbered per scope

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_login_session_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))

    # Number the whole-bank attempts made so far, in the order they were started.
    attempt = sa.table('attempt', sa.column('id', sa.Integer()), sa.column('account_id', sa.Integer()),
                       sa.column('bank_id', sa.String()), sa.column('assignment_id', sa.Integer()),
                       sa.column('kind', sa.String()), sa.column('scope', sa.Integer()),
                       sa.column('number', sa.Integer()))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attempt.c.id, attempt.c.account_id, attempt.c.bank_id, attempt.c.assignment_id,
                  attempt.c.kind).order_by(attempt.c.id)
    ).all()
    counts = {}
    for id_, account_id, bank_id, assignment_id, kind in rows:
        scope = assignment_id or 0
        number = None
        if kind == 'full':
            key = (account_id, bank_id, scope)
            counts[key] = number = counts.get(key, 0) + 1
        connection.execute(attempt.update().where(attempt.c.id == id_)
                           .values(scope=scope, number=number))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('scope', server_default=None)
        batch_op.create_unique_constraint('uq_attempt_number', ['account_id', 'bank_id', 'scope', 'number'])


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempt_number', type_='unique')
        batch_op.drop_column('number')
        batch_op.drop_column('scope')

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_created_at'))
        batch_op.drop_index(batch_op.f('ix_login_session_account_id'))

    op.drop_table('login_session')

"""authoring in the browser: article and bank owners, bank text and visibility, drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_article_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_article_owner_id_account'), 'account', ['owner_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('visibility', sa.String(length=16), nullable=False, server_default='private'))
        batch_op.add_column(sa.Column('source_yaml', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bank_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bank_owner_id_account'), 'account', ['owner_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.alter_column('visibility', server_default=None)

    op.create_table('bank_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.String(length=64), nullable=True),
    sa.Column('yaml', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_bank_draft_bank_id_bank'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['account.id'], name=op.f('fk_bank_draft_owner_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_draft'))
    )
    with op.batch_alter_table('bank_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_draft_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_draft_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bank_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_draft_owner_id'))
        batch_op.drop_index(batch_op.f('ix_bank_draft_bank_id'))
    op.drop_table('bank_draft')

    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bank_owner_id_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bank_owner_id'))
        batch_op.drop_column('source_yaml')
        batch_op.drop_column('visibility')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_article_owner_id_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_article_owner_id'))
        batch_op.drop_column('body')
        batch_op.drop_column('owner_id')

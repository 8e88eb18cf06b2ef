"""live games: games, their questions, players and answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('game',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.String(length=64), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=True),
    sa.Column('guests', sa.Boolean(), nullable=False),
    sa.Column('seconds_per_question', sa.Integer(), nullable=False),
    sa.Column('pin', sa.String(length=12), nullable=True),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('advanced_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_game_bank_id_bank'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_game_classroom_id_classroom'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_id'], ['account.id'], name=op.f('fk_game_host_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_game')),
    sa.UniqueConstraint('pin', name=op.f('uq_game_pin'))
    )
    with op.batch_alter_table('game', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_game_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_game_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_game_host_id'), ['host_id'], unique=False)

    op.create_table('game_player',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=20), nullable=False),
    sa.Column('nickname_key', sa.String(length=80), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_game_player_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['game_id'], ['game.id'], name=op.f('fk_game_player_game_id_game'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_game_player')),
    sa.UniqueConstraint('game_id', 'account_id', name='uq_game_player_account'),
    sa.UniqueConstraint('game_id', 'nickname_key', name=op.f('uq_game_player_game_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_game_player_token_hash'))
    )
    with op.batch_alter_table('game_player', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_game_player_account_id'), ['account_id'], unique=False)

    op.create_table('game_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('fraction', sa.Double(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('bonus', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['game.id'], name=op.f('fk_game_answer_game_id_game'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['player_id'], ['game_player.id'], name=op.f('fk_game_answer_player_id_game_player'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_game_answer')),
    sa.UniqueConstraint('player_id', 'number', name=op.f('uq_game_answer_player_id'))
    )
    with op.batch_alter_table('game_answer', schema=None) as batch_op:
        batch_op.create_index('ix_game_answer_game_number', ['game_id', 'number'], unique=False)

    op.create_table('game_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['game.id'], name=op.f('fk_game_question_game_id_game'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_game_question_question_version_id_question_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_game_question')),
    sa.UniqueConstraint('game_id', 'number', name=op.f('uq_game_question_game_id'))
    )
    with op.batch_alter_table('game_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_game_question_question_version_id'), ['question_version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('game_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_game_question_question_version_id'))

    op.drop_table('game_question')
    with op.batch_alter_table('game_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_game_answer_game_number')

    op.drop_table('game_answer')
    with op.batch_alter_table('game_player', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_game_player_account_id'))

    op.drop_table('game_player')
    with op.batch_alter_table('game', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_game_host_id'))
        batch_op.drop_index(batch_op.f('ix_game_classroom_id'))
        batch_op.drop_index(batch_op.f('ix_game_bank_id'))

    op.drop_table('game')

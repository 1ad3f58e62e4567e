"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 10:48:46.829199
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('markets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_markets_dates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markets'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('cooperatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('province', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('stand', sa.String(length=40), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('women_led', sa.Boolean(), nullable=False),
    sa.Column('youth_led', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("sector IN ('handicrafts', 'food', 'herbs', 'cosmetics', 'other')", name=op.f('ck_cooperatives_sector')),
    sa.CheckConstraint('members >= 0', name=op.f('ck_cooperatives_members')),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_cooperatives_market_id_markets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperatives')),
    sa.UniqueConstraint('market_id', 'stand', name='uq_cooperatives_market_stand')
    )
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperatives_market_id'), ['market_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_push_at', sa.DateTime(), nullable=True),
    sa.Column('total_net', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('total_tickets', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('total_refunds', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('days_closed', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_devices_cooperative_id_cooperatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('enrol_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_enrol_codes_cooperative_id_cooperatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrol_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_enrol_codes_code_hash'))
    )
    with op.batch_alter_table('enrol_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrol_codes_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Uuid(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('stored_digest', sa.String(length=64), nullable=False),
    sa.Column('received_digest', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_conflicts_cooperative_id_cooperatives')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_conflicts_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts')),
    sa.UniqueConstraint('device_id', 'business_day', 'version', 'received_digest', name='uq_conflicts_device_day_version_digest')
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('day_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Uuid(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('z_number', sa.BigInteger(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('sales_count', sa.BigInteger(), nullable=False),
    sa.Column('refunds_count', sa.BigInteger(), nullable=False),
    sa.Column('voids_count', sa.BigInteger(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('refunds', sa.BigInteger(), nullable=False),
    sa.Column('voids', sa.BigInteger(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('discounts', sa.BigInteger(), nullable=False),
    sa.Column('items', sa.BigInteger(), nullable=False),
    sa.Column('cash_expected', sa.BigInteger(), nullable=False),
    sa.Column('cash_counted', sa.BigInteger(), nullable=True),
    sa.Column('cash_difference', sa.BigInteger(), nullable=True),
    sa.Column('grand_total', sa.BigInteger(), nullable=False),
    sa.Column('journal_seq', sa.BigInteger(), nullable=False),
    sa.Column('journal_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_day_summaries_status')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_day_summaries_cooperative_id_cooperatives')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_day_summaries_device_id_devices')),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_day_summaries_market_id_markets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_summaries')),
    sa.UniqueConstraint('device_id', 'business_day', name='uq_day_summaries_device_day')
    )
    with op.batch_alter_table('day_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_day_summaries_cooperative_day', ['cooperative_id', 'business_day'], unique=False)
        batch_op.create_index('ix_day_summaries_market_day', ['market_id', 'business_day'], unique=False)

    op.create_table('market_days',
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('refunds', sa.BigInteger(), nullable=False),
    sa.Column('tickets', sa.BigInteger(), nullable=False),
    sa.Column('devices', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_market_days_market_id_markets')),
    sa.PrimaryKeyConstraint('market_id', 'business_day', name=op.f('pk_market_days'))
    )
    op.create_table('summary_bodies',
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['summary_id'], ['day_summaries.id'], name=op.f('fk_summary_bodies_summary_id_day_summaries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('summary_id', name=op.f('pk_summary_bodies'))
    )
    op.create_table('summary_hours',
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('tickets', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['summary_id'], ['day_summaries.id'], name=op.f('fk_summary_hours_summary_id_day_summaries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('summary_id', 'hour', name=op.f('pk_summary_hours'))
    )
    with op.batch_alter_table('summary_hours', schema=None) as batch_op:
        batch_op.create_index('ix_summary_hours_market_day', ['market_id', 'business_day'], unique=False)

    op.create_table('summary_payments',
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['summary_id'], ['day_summaries.id'], name=op.f('fk_summary_payments_summary_id_day_summaries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('summary_id', 'method', name=op.f('pk_summary_payments'))
    )
    op.create_table('summary_products',
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=200), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['summary_id'], ['day_summaries.id'], name=op.f('fk_summary_products_summary_id_day_summaries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('summary_id', 'line', name=op.f('pk_summary_products'))
    )
    with op.batch_alter_table('summary_products', schema=None) as batch_op:
        batch_op.create_index('ix_summary_products_market_day', ['market_id', 'business_day', 'cooperative_id', 'product_id'], unique=False, postgresql_include=['amount'])



def downgrade() -> None:
    with op.batch_alter_table('summary_products', schema=None) as batch_op:
        batch_op.drop_index('ix_summary_products_market_day')

    op.drop_table('summary_products')
    op.drop_table('summary_payments')
    op.drop_table('summary_bodies')
    op.drop_table('market_days')
    with op.batch_alter_table('summary_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_summary_hours_market_day')

    op.drop_table('summary_hours')
    with op.batch_alter_table('day_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_day_summaries_market_day')
        batch_op.drop_index('ix_day_summaries_cooperative_day')

    op.drop_table('day_summaries')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_cooperative_id'))

    op.drop_table('conflicts')
    with op.batch_alter_table('enrol_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrol_codes_cooperative_id'))

    op.drop_table('enrol_codes')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_cooperative_id'))

    op.drop_table('devices')
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperatives_market_id'))

    op.drop_table('cooperatives')
    op.drop_table('users')
    op.drop_table('settings')
    op.drop_table('markets')

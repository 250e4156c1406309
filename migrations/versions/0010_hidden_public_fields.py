"""Hidden public fields: a form may keep its reports' location, or their time of day, off every
public output. Reports remember it, so that later edits keep it hidden.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_RULE = "(location IS NULL) = (public_location IS NULL)"
NEW_RULE = (
    "(location IS NULL AND public_location IS NULL) OR (location IS NOT NULL AND "
    "(public_location IS NULL) = location_hidden)"
)


def upgrade():
    with op.batch_alter_table('forms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_location', sa.Boolean(), server_default='false', nullable=False))
        batch_op.add_column(sa.Column('hide_time_of_day', sa.Boolean(), server_default='false', nullable=False))
    with op.batch_alter_table('forms', schema=None) as batch_op:
        batch_op.alter_column('hide_location', server_default=None)
        batch_op.alter_column('hide_time_of_day', server_default=None)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_hidden', sa.Boolean(), server_default='false', nullable=False))
        batch_op.add_column(sa.Column('time_hidden', sa.Boolean(), server_default='false', nullable=False))
        batch_op.drop_constraint(op.f('ck_reports_public_location_present'), type_='check')
        batch_op.create_check_constraint('public_location_present', NEW_RULE)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reports_public_location_present'), type_='check')
        batch_op.create_check_constraint('public_location_present', OLD_RULE)
        batch_op.drop_column('time_hidden')
        batch_op.drop_column('location_hidden')

    with op.batch_alter_table('forms', schema=None) as batch_op:
        batch_op.drop_column('hide_time_of_day')
        batch_op.drop_column('hide_location')

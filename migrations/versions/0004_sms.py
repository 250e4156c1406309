"""SMS: inbound messages stored once per provider id, the outbound queue, the gazetteer,
help services, category keywords and urgent reports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import json

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Words that point to a category in an SMS, per language (matched without case or accents).
KEYWORDS = {
    "sexual-exploitation": {"en": ["sex", "prostitution", "brothel", "pimp"],
                            "es": ["sexual", "prostitucion", "burdel", "proxeneta"],
                            "km": ["ផ្លូវភេទ", "ពេស្យាចារ", "ផ្ទះបន"]},
    "sexual-exploitation-venue": {"en": ["karaoke", "massage parlour", "bar girls"],
                                  "es": ["karaoke", "bar", "table dance"],
                                  "km": ["ខារ៉ាអូខេ", "ម៉ាស្សា"]},
    "online-sexual-exploitation": {"en": ["webcam", "livestream", "filmed"],
                                   "es": ["webcam", "transmision", "grabados"],
                                   "km": ["ថតវីដេអូ", "អនឡាញ"]},
    "forced-labour": {"en": ["forced labour", "forced labor", "not paid", "unpaid", "locked in"],
                      "es": ["trabajo forzoso", "sin pago", "encerrados"],
                      "km": ["ពលកម្មដោយបង្ខំ", "មិនបើកប្រាក់ខែ"]},
    "forced-labour-fishing": {"en": ["boat", "fishing", "fishermen", "trawler"],
                              "es": ["barco", "pesca", "pescadores"],
                              "km": ["ទូក", "នេសាទ"]},
    "forced-labour-construction": {"en": ["construction", "building site"],
                                   "es": ["construccion", "obra"], "km": ["សំណង់"]},
    "forced-labour-agriculture": {"en": ["farm", "plantation", "harvest"],
                                  "es": ["finca", "cosecha", "jornaleros"],
                                  "km": ["ចម្ការ", "កសិដ្ឋាន"]},
    "forced-labour-factory": {"en": ["factory", "garment"], "es": ["fabrica", "maquila"],
                              "km": ["រោងចក្រ"]},
    "forced-labour-scam-compound": {"en": ["scam", "compound", "online fraud"],
                                    "es": ["estafa", "fraude en linea"],
                                    "km": ["បោកប្រាស់"]},
    "child-labour": {"en": ["child labour", "child labor", "children working", "kids working"],
                     "es": ["trabajo infantil", "ninos trabajando"], "km": ["ពលកម្មកុមារ"]},
    "domestic-servitude": {"en": ["maid", "domestic worker", "housemaid"],
                           "es": ["empleada domestica", "trabajadora del hogar"],
                           "km": ["អ្នកបម្រើ", "អ្នកធ្វើការផ្ទះ"]},
    "forced-begging": {"en": ["begging", "beggars"], "es": ["mendicidad", "pidiendo limosna"],
                       "km": ["សុំទាន"]},
    "forced-criminality": {"en": ["drugs", "stealing", "forced to steal"],
                           "es": ["droga", "robar"], "km": ["គ្រឿងញៀន", "លួច"]},
    "debt-bondage": {"en": ["debt", "loan", "owe"], "es": ["deuda", "prestamo"],
                     "km": ["បំណុល", "ជំពាក់"]},
    "recruitment-fraud": {"en": ["job offer", "recruiter", "agent", "passport taken"],
                          "es": ["oferta de trabajo", "reclutador", "enganchador"],
                          "km": ["ភ្នាក់ងារ", "ជ្រើសរើស"]},
    "child-marriage": {"en": ["child marriage", "married at", "child bride"],
                       "es": ["matrimonio infantil", "casar a la nina"],
                       "km": ["អាពាហ៍ពិពាហ៍កុមារ", "រៀបការ"]},
    "missing-person": {"en": ["missing", "disappeared"], "es": ["desaparecida", "desaparecido"],
                       "km": ["បាត់ខ្លួន"]},
    "suspicious-activity": {"en": ["suspicious", "border crossing"],
                            "es": ["sospechoso", "sospechosa"], "km": ["គួរឱ្យសង្ស័យ"]},
}


def upgrade():
    op.create_geospatial_table('help_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('national_hotline', sa.Boolean(), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_services')),
    sa.UniqueConstraint('name', name=op.f('uq_help_services_name'))
    )
    with op.batch_alter_table('help_services', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_help_services_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_help_services_country'), ['country'], unique=False)

    op.create_geospatial_table('places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('variants', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('admin_area', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sa.UniqueConstraint('name', name=op.f('uq_places_name'))
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_places_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('inbound_messages',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('sender_key', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('recipient', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('probable_duplicate', sa.Boolean(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('received', 'parsed', 'needs_location', 'keyword', 'failed')", name=op.f('ck_inbound_messages_status')),
    sa.ForeignKeyConstraint(['contact_id'], ['reporter_contacts.id'], name=op.f('fk_inbound_messages_contact_id_reporter_contacts')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_inbound_messages_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('provider', 'external_id', name=op.f('uq_inbound_messages_provider'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_sender_key'), ['sender_key'], unique=False)

    op.create_table('outbound_messages',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('contact_id', sa.BigInteger(), nullable=False),
    sa.Column('inbound_id', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f('ck_outbound_messages_status')),
    sa.ForeignKeyConstraint(['contact_id'], ['reporter_contacts.id'], name=op.f('fk_outbound_messages_contact_id_reporter_contacts')),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_messages.id'], name=op.f('fk_outbound_messages_inbound_id_inbound_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
    sa.UniqueConstraint('uuid', name=op.f('uq_outbound_messages_uuid'))
    )
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_messages_provider'), ['provider'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_messages_status'), ['status'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keywords', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False))

    with op.batch_alter_table('reporter_contacts', schema=None) as batch_op:
        batch_op.alter_column('report_id',
               existing_type=sa.BIGINT(),
               nullable=True)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default='false', nullable=False))

    conn = op.get_bind()
    for slug, words in KEYWORDS.items():
        conn.execute(sa.text("UPDATE categories SET keywords = CAST(:k AS jsonb) WHERE slug = :s"),
                     {"k": json.dumps(words, ensure_ascii=False), "s": slug})



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('urgent')

    with op.batch_alter_table('reporter_contacts', schema=None) as batch_op:
        batch_op.alter_column('report_id',
               existing_type=sa.BIGINT(),
               nullable=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('keywords')

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_messages_status'))
        batch_op.drop_index(batch_op.f('ix_outbound_messages_provider'))

    op.drop_table('outbound_messages')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_sender_key'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_report_id'))

    op.drop_table('inbound_messages')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_places_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('places')
    with op.batch_alter_table('help_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_services_country'))
        batch_op.drop_geospatial_index('idx_help_services_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('help_services')

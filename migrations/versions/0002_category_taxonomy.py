"""Seed the trafficking category taxonomy (two levels, English, Spanish and Khmer names).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (slug, parent slug, English, Spanish, Khmer)
TAXONOMY = [
    ("sexual-exploitation", None, "Sexual exploitation", "Explotación sexual",
     "ការកេងប្រវ័ញ្ចផ្លូវភេទ"),
    ("sexual-exploitation-venue", "sexual-exploitation", "In a venue (bar, karaoke, brothel)",
     "En un local (bar, karaoke, burdel)", "នៅកន្លែងកម្សាន្ត (បារ ខារ៉ាអូខេ ផ្ទះបន)"),
    ("online-sexual-exploitation", "sexual-exploitation", "Online sexual exploitation",
     "Explotación sexual en línea", "ការកេងប្រវ័ញ្ចផ្លូវភេទតាមអនឡាញ"),
    ("forced-labour", None, "Forced labour", "Trabajo forzoso", "ពលកម្មដោយបង្ខំ"),
    ("forced-labour-fishing", "forced-labour", "Fishing and seafood", "Pesca y mariscos",
     "នេសាទ និងផលសមុទ្រ"),
    ("forced-labour-construction", "forced-labour", "Construction", "Construcción", "សំណង់"),
    ("forced-labour-agriculture", "forced-labour", "Agriculture", "Agricultura", "កសិកម្ម"),
    ("forced-labour-factory", "forced-labour", "Factories", "Fábricas", "រោងចក្រ"),
    ("forced-labour-scam-compound", "forced-labour", "Scam compounds", "Centros de estafa",
     "មជ្ឈមណ្ឌលបោកប្រាស់តាមអនឡាញ"),
    ("child-labour", None, "Child labour", "Trabajo infantil", "ពលកម្មកុមារ"),
    ("domestic-servitude", None, "Domestic servitude", "Servidumbre doméstica",
     "ការបម្រើក្នុងផ្ទះដោយបង្ខំ"),
    ("forced-begging", None, "Forced begging", "Mendicidad forzada", "ការបង្ខំឱ្យសុំទាន"),
    ("forced-criminality", None, "Forced criminality", "Criminalidad forzada",
     "ការបង្ខំឱ្យប្រព្រឹត្តបទល្មើស"),
    ("debt-bondage", None, "Debt bondage", "Servidumbre por deudas", "ការជាប់បំណុល"),
    ("recruitment-fraud", None, "Recruitment fraud", "Fraude en la contratación",
     "ការបោកប្រាស់ក្នុងការជ្រើសរើសពលករ"),
    ("child-marriage", None, "Child marriage", "Matrimonio infantil", "អាពាហ៍ពិពាហ៍កុមារ"),
    ("missing-person", None, "Missing person", "Persona desaparecida", "មនុស្សបាត់ខ្លួន"),
    ("suspicious-activity", None, "Suspicious activity", "Actividad sospechosa",
     "សកម្មភាពគួរឱ្យសង្ស័យ"),
    ("other", None, "Other", "Otro", "ផ្សេងៗ"),
]


def upgrade():
    conn = op.get_bind()
    ids = {}
    for position, (slug, parent, en, es, km) in enumerate(TAXONOMY):
        ids[slug] = conn.execute(
            sa.text(
                "INSERT INTO categories (slug, parent_id, names, position) "
                "VALUES (:slug, :parent, CAST(:names AS jsonb), :position) RETURNING id"
            ),
            {"slug": slug, "parent": ids.get(parent), "position": position,
             "names": json.dumps({"en": en, "es": es, "km": km}, ensure_ascii=False)},
        ).scalar()


def downgrade():
    slugs = [row[0] for row in TAXONOMY]
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM categories WHERE parent_id IS NOT NULL AND slug = ANY(:s)"),
                 {"s": slugs})
    conn.execute(sa.text("DELETE FROM categories WHERE slug = ANY(:s)"), {"s": slugs})

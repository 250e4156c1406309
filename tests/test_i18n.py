"""Every user-facing string is extracted, and Spanish and Khmer translate all of them."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from mapper.i18n import date_words

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "mapper" / "translations"


def extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["es", "km"])
def test_catalog_translates_every_string_in_the_code(tmp_path, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = extracted_ids(tmp_path) - translated
    assert missing == set()


@pytest.mark.parametrize(
    "language, phrase",
    [
        ("es", "Informe lo que vio"),
        ("km", "រាយការណ៍អំពីអ្វីដែលអ្នកបានឃើញ"),
        ("en", "Report what you saw"),
    ],
)
def test_report_form_is_served_in_each_language(client, language, phrase):
    html = client.get(f"/report?lang={language}").get_data(as_text=True)
    assert phrase in html


def test_accept_language_picks_a_supported_language(client):
    html = client.get("/report", headers={"Accept-Language": "es-CO,es;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="es">' in html


@pytest.mark.parametrize(
    "language, month, day, march",
    [
        ("en", "{month} {year}", "{month} {day}, {year}", "March"),
        ("es", "{month} de {year}", "{day} {month} {year}", "marzo"),
        ("km", "{month} {year}", "{day} {month} {year}", "មីនា"),
    ],
)
def test_the_maps_dates_come_in_each_language(language, month, day, march):
    """Browsers may lack a language's calendar: the map's month names and date patterns
    come from the server, with a place for each part."""
    words = date_words(language)
    assert (words["month"], words["day"], words["months"][2]) == (month, day, march)
    assert len(words["monthsShort"]) == len(words["monthsAlone"]) == 12

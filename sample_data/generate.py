"""Generate the synthetic sample data set (deterministic: same seed, same files).

    python sample_data/generate.py            # writes gazetteer.csv and reports.jsonl here

Everything here is invented: places are real towns, but reports, names and phone
numbers are synthetic and random within each town's area.
"""

from __future__ import annotations

import csv
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261122
COUNT = 2400

# name, Spanish name, Khmer/Thai name, other variants, lat, lon, admin area, country, weight
PLACES = [
    ("Poipet", "Poipet", "ប៉ោយប៉ែត", "Paoy Paet", 13.6593, 102.5635, "Banteay Meanchey", "KH", 10),
    (
        "Serei Saophoan",
        "Serei Saophoan",
        "សិរីសោភ័ណ",
        "Sisophon",
        13.5859,
        102.9737,
        "Banteay Meanchey",
        "KH",
        5,
    ),
    (
        "Aranyaprathet",
        "Aranyaprathet",
        "อรัญประเทศ",
        "Aranya Prathet",
        13.6929,
        102.5062,
        "Sa Kaeo",
        "TH",
        4,
    ),
    ("Siem Reap", "Siem Reap", "សៀមរាប", "Siemreap", 13.3633, 103.8564, "Siem Reap", "KH", 7),
    ("Phnom Penh", "Nom Pen", "ភ្នំពេញ", "Phnum Penh", 11.5564, 104.9282, "Phnom Penh", "KH", 14),
    (
        "Sihanoukville",
        "Sihanoukville",
        "ក្រុងព្រះសីហនុ",
        "Kampong Som",
        10.6253,
        103.5234,
        "Preah Sihanouk",
        "KH",
        9,
    ),
    (
        "Tlaxcala",
        "Tlaxcala",
        "Tlaxcala",
        "Tlaxcala de Xicohténcatl",
        19.3182,
        -98.2375,
        "Tlaxcala",
        "MX",
        5,
    ),
    (
        "Tenancingo",
        "Tenancingo",
        "Tenancingo",
        "Tenancingo de Degollado",
        19.1333,
        -98.2000,
        "Tlaxcala",
        "MX",
        4,
    ),
    (
        "Puebla",
        "Puebla",
        "Puebla",
        "Heroica Puebla de Zaragoza",
        19.0414,
        -98.2063,
        "Puebla",
        "MX",
        6,
    ),
    (
        "Mexico City",
        "Ciudad de México",
        "Mexico City",
        "CDMX",
        19.4326,
        -99.1332,
        "Ciudad de México",
        "MX",
        10,
    ),
    ("Tijuana", "Tijuana", "Tijuana", "TJ", 32.5149, -117.0382, "Baja California", "MX", 7),
    ("Bogotá", "Bogotá", "Bogotá", "Bogota", 4.7110, -74.0721, "Bogotá D.C.", "CO", 9),
    ("Medellín", "Medellín", "Medellín", "Medellin", 6.2442, -75.5812, "Antioquia", "CO", 7),
    (
        "Cartagena",
        "Cartagena",
        "Cartagena",
        "Cartagena de Indias",
        10.3910,
        -75.4794,
        "Bolívar",
        "CO",
        6,
    ),
    ("Cali", "Cali", "Cali", "Santiago de Cali", 3.4516, -76.5320, "Valle del Cauca", "CO", 5),
]

# slug: (weight, {language: (title phrase, description phrase)})
CATEGORIES = {
    "sexual-exploitation-venue": (
        9,
        {
            "en": (
                "Young women held at a karaoke bar",
                "young women who seem unable to leave a karaoke bar; a man keeps their ID cards",
            ),
            "es": (
                "Mujeres jóvenes retenidas en un bar",
                "mujeres jóvenes que no pueden salir de un bar; un hombre guarda sus documentos",
            ),
            "km": (
                "ស្ត្រីវ័យក្មេងត្រូវបានឃុំនៅបារខារ៉ាអូខេ",
                "ស្ត្រីវ័យក្មេងដែលមិនអាចចាកចេញពីបារខារ៉ាអូខេ ហើយបុរសម្នាក់កាន់អត្តសញ្ញាណប័ណ្ណរបស់ពួកគេ",
            ),
        },
    ),
    "online-sexual-exploitation": (
        4,
        {
            "en": (
                "Children filmed in a rented house",
                "children being filmed by adults in a rented house, with many visitors at night",
            ),
            "es": (
                "Niños grabados en una casa alquilada",
                "niños grabados por adultos en una casa alquilada, con muchas visitas de noche",
            ),
            "km": (
                "កុមារត្រូវបានថតវីដេអូនៅផ្ទះជួល",
                "កុមារត្រូវបានមនុស្សពេញវ័យថតវីដេអូនៅផ្ទះជួល មានភ្ញៀវច្រើននៅពេលយប់",
            ),
        },
    ),
    "forced-labour-fishing": (
        6,
        {
            "en": (
                "Fishermen not allowed ashore",
                "fishermen kept on a boat for months without pay, not allowed to come ashore",
            ),
            "es": (
                "Pescadores sin permiso para bajar a tierra",
                "pescadores retenidos en un barco durante meses sin pago",
            ),
            "km": ("អ្នកនេសាទមិនត្រូវបានអនុញ្ញាតឱ្យឡើងគោក", "អ្នកនេសាទត្រូវបានឃុំនៅលើទូករាប់ខែដោយគ្មានប្រាក់ឈ្នួល"),
        },
    ),
    "forced-labour-construction": (
        6,
        {
            "en": (
                "Workers locked in at a building site",
                "workers sleeping at a building site, gates locked at night, wages withheld",
            ),
            "es": (
                "Obreros encerrados en una obra",
                "obreros que duermen en la obra, con el portón cerrado de noche y sin salario",
            ),
            "km": (
                "កម្មករត្រូវបានចាក់សោនៅការដ្ឋានសំណង់",
                "កម្មករគេងនៅការដ្ឋាន ទ្វារត្រូវបានចាក់សោពេលយប់ ហើយប្រាក់ឈ្នួលត្រូវបានរឹបអូស",
            ),
        },
    ),
    "forced-labour-agriculture": (
        5,
        {
            "en": (
                "Farm workers watched by armed guards",
                "farm workers watched by armed guards and told they owe for transport",
            ),
            "es": (
                "Jornaleros vigilados por guardias armados",
                "jornaleros vigilados por guardias armados a quienes dicen que deben el transporte",
            ),
            "km": (
                "កម្មករកសិកម្មត្រូវបានឆ្មាំប្រដាប់អាវុធឃ្លាំមើល",
                "កម្មករកសិកម្មត្រូវបានឆ្មាំប្រដាប់អាវុធឃ្លាំមើល ហើយត្រូវបានប្រាប់ថាជំពាក់ថ្លៃដឹកជញ្ជូន",
            ),
        },
    ),
    "forced-labour-factory": (
        5,
        {
            "en": (
                "Factory workers' passports taken",
                "factory workers whose passports were taken by the manager, working 16-hour shifts",
            ),
            "es": (
                "Trabajadores de fábrica sin pasaporte",
                "trabajadores de una fábrica a quienes el jefe quitó el pasaporte, turnos de 16 horas",
            ),
            "km": (
                "លិខិតឆ្លងដែនកម្មកររោងចក្រត្រូវបានដកហូត",
                "កម្មកររោងចក្រដែលលិខិតឆ្លងដែនត្រូវបានអ្នកគ្រប់គ្រងដកហូត ធ្វើការ ១៦ ម៉ោងក្នុងមួយវេន",
            ),
        },
    ),
    "forced-labour-scam-compound": (
        7,
        {
            "en": (
                "People forced to run online scams",
                "people held in a guarded compound and forced to run online scams, beaten if they refuse",
            ),
            "es": (
                "Personas obligadas a hacer estafas en línea",
                "personas retenidas en un recinto vigilado y obligadas a hacer estafas en línea",
            ),
            "km": (
                "មនុស្សត្រូវបានបង្ខំឱ្យបោកប្រាស់តាមអនឡាញ",
                "មនុស្សត្រូវបានឃុំក្នុងអគារមានឆ្មាំ ហើយត្រូវបានបង្ខំឱ្យបោកប្រាស់តាមអនឡាញ",
            ),
        },
    ),
    "child-labour": (
        6,
        {
            "en": (
                "Young children working at a brick kiln",
                "young children carrying bricks at a kiln during school hours",
            ),
            "es": (
                "Niños pequeños trabajando en una ladrillera",
                "niños pequeños cargando ladrillos en horario escolar",
            ),
            "km": ("កុមារតូចៗធ្វើការនៅឡឥដ្ឋ", "កុមារតូចៗលីឥដ្ឋនៅឡឥដ្ឋក្នុងម៉ោងសិក្សា"),
        },
    ),
    "domestic-servitude": (
        5,
        {
            "en": (
                "Domestic worker never leaves the house",
                "a domestic worker who is never allowed out and is not paid",
            ),
            "es": (
                "Trabajadora doméstica que nunca sale de la casa",
                "una trabajadora doméstica a la que no dejan salir ni pagan",
            ),
            "km": (
                "អ្នកបម្រើក្នុងផ្ទះមិនដែលចេញពីផ្ទះ",
                "អ្នកបម្រើក្នុងផ្ទះដែលមិនត្រូវបានអនុញ្ញាតឱ្យចេញក្រៅ ហើយមិនទទួលបានប្រាក់ឈ្នួល",
            ),
        },
    ),
    "forced-begging": (
        4,
        {
            "en": (
                "Children begging, dropped off by a van",
                "children dropped off by a van every morning to beg and collected at night",
            ),
            "es": (
                "Niños pidiendo limosna traídos en camioneta",
                "niños que una camioneta deja cada mañana para pedir limosna y recoge de noche",
            ),
            "km": (
                "កុមារសុំទានត្រូវបានឡានដឹកមកទម្លាក់",
                "កុមារត្រូវបានឡានដឹកមកទម្លាក់រៀងរាល់ព្រឹកដើម្បីសុំទាន ហើយមកយកវិញពេលយប់",
            ),
        },
    ),
    "forced-criminality": (
        3,
        {
            "en": (
                "Teenagers made to sell drugs",
                "teenagers made to sell drugs for a group that threatens their families",
            ),
            "es": (
                "Adolescentes obligados a vender droga",
                "adolescentes obligados a vender droga para un grupo que amenaza a sus familias",
            ),
            "km": (
                "ក្មេងជំទង់ត្រូវបានបង្ខំឱ្យលក់គ្រឿងញៀន",
                "ក្មេងជំទង់ត្រូវបានបង្ខំឱ្យលក់គ្រឿងញៀនឱ្យក្រុមមួយដែលគំរាមគ្រួសាររបស់ពួកគេ",
            ),
        },
    ),
    "debt-bondage": (
        5,
        {
            "en": (
                "Family working off a recruiter's debt",
                "a family working without pay to repay a recruiter's loan that keeps growing",
            ),
            "es": (
                "Familia pagando una deuda con su trabajo",
                "una familia que trabaja sin pago para saldar un préstamo que no deja de crecer",
            ),
            "km": (
                "គ្រួសារធ្វើការសងបំណុលឈ្មួញជ្រើសរើស",
                "គ្រួសារមួយធ្វើការដោយគ្មានប្រាក់ឈ្នួលដើម្បីសងប្រាក់កម្ចីដែលកាន់តែកើនឡើង",
            ),
        },
    ),
    "recruitment-fraud": (
        6,
        {
            "en": (
                "Fake job offer abroad",
                "an agent offering well-paid jobs abroad and collecting passports and fees",
            ),
            "es": (
                "Oferta de trabajo falsa en el extranjero",
                "un agente que ofrece empleos bien pagados en el extranjero y cobra por adelantado",
            ),
            "km": (
                "ការផ្តល់ការងារក្លែងក្លាយនៅបរទេស",
                "ភ្នាក់ងារម្នាក់ផ្តល់ការងារប្រាក់ខែខ្ពស់នៅបរទេស ហើយប្រមូលលិខិតឆ្លងដែន និងថ្លៃសេវា",
            ),
        },
    ),
    "child-marriage": (
        3,
        {
            "en": (
                "Girl of 14 to be married",
                "a 14-year-old girl being married to an older man for money",
            ),
            "es": (
                "Niña de 14 años será casada",
                "una niña de 14 años que van a casar con un hombre mayor a cambio de dinero",
            ),
            "km": ("ក្មេងស្រីអាយុ ១៤ ឆ្នាំនឹងត្រូវរៀបការ", "ក្មេងស្រីអាយុ ១៤ ឆ្នាំត្រូវបានរៀបការជាមួយបុរសចាស់ដើម្បីប្រាក់"),
        },
    ),
    "missing-person": (
        4,
        {
            "en": (
                "Sister missing after leaving for work",
                "my sister left for a job in the city and we cannot reach her for weeks",
            ),
            "es": (
                "Hermana desaparecida tras irse a trabajar",
                "mi hermana se fue a trabajar a la ciudad y no sabemos nada de ella desde hace semanas",
            ),
            "km": (
                "បងស្រីបាត់ខ្លួនក្រោយចេញទៅធ្វើការ",
                "បងស្រីខ្ញុំបានចេញទៅធ្វើការនៅទីក្រុង ហើយយើងមិនអាចទាក់ទងនាងបានច្រើនសប្តាហ៍",
            ),
        },
    ),
    "suspicious-activity": (
        5,
        {
            "en": (
                "Minors crossing with an unrelated adult",
                "several minors crossing with an adult who is not their parent, avoiding the checkpoint",
            ),
            "es": (
                "Menores cruzando con un adulto desconocido",
                "varios menores cruzando con un adulto que no es su padre, evitando el control",
            ),
            "km": (
                "អនីតិជនឆ្លងដែនជាមួយមនុស្សពេញវ័យមិនមែនជាឪពុកម្តាយ",
                "អនីតិជនជាច្រើនឆ្លងដែនជាមួយមនុស្សពេញវ័យដែលមិនមែនជាឪពុកម្តាយ ដោយជៀសវាងប៉ុស្តិ៍ត្រួតពិនិត្យ",
            ),
        },
    ),
    "other": (
        2,
        {
            "en": (
                "Something is not right at this address",
                "people coming and going at night and a guard at the door",
            ),
            "es": (
                "Algo no está bien en esta dirección",
                "gente que entra y sale de noche y un guardia en la puerta",
            ),
            "km": ("មានរឿងមិនប្រក្រតីនៅអាសយដ្ឋាននេះ", "មានមនុស្សចេញចូលពេលយប់ ហើយមានឆ្មាំនៅមាត់ទ្វារ"),
        },
    ),
}

OPENINGS = {
    "en": [
        "I saw {what} near {place}.",
        "In {place} there are {what}.",
        "Please check: {what}, {place}.",
    ],
    "es": [
        "Vi {what} cerca de {place}.",
        "En {place} hay {what}.",
        "Por favor revisen: {what}, {place}.",
    ],
    "km": ["ខ្ញុំបានឃើញ{what} នៅជិត{place}។", "នៅ{place} មាន{what}។", "សូមពិនិត្យ៖ {what} នៅ{place}។"],
}
CLOSINGS = {
    "en": [
        "It has been going on for weeks.",
        "I am afraid to go to the police.",
        "",
        "Several neighbours know about it.",
    ],
    "es": ["Lleva semanas así.", "Tengo miedo de ir a la policía.", "", "Varios vecinos lo saben."],
    "km": ["វាបានកើតឡើងជាច្រើនសប្តាហ៍ហើយ។", "ខ្ញុំខ្លាចទៅប្រាប់ប៉ូលីស។", "", "អ្នកជិតខាងជាច្រើនដឹងរឿងនេះ។"],
}
STATUSES = [("published", 52), ("verified", 16), ("pending", 16), ("rejected", 10), ("archived", 6)]
SOURCES = [("web", 42), ("sms", 24), ("volunteer", 16), ("api", 8), ("odk", 6), ("import", 4)]
FIRST_NAMES = {
    "KH": ["Sokha", "Dara", "Srey Mom", "Vanna", "Chenda"],
    "TH": ["Somchai", "Malee"],
    "MX": ["Lupita", "José", "María", "Carlos", "Ana"],
    "CO": ["Camila", "Andrés", "Luisa", "Juan"],
}
PHONE_PREFIX = {"KH": ("+85512", 6), "TH": ("+6681", 7), "MX": ("+5255", 8), "CO": ("+57310", 7)}
START = datetime(2021, 1, 1, tzinfo=UTC)
END = datetime(2026, 10, 31, tzinfo=UTC)


def pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def language_for(rng: random.Random, country: str) -> str:
    if country in ("KH", "TH"):
        return "km" if rng.random() < 0.6 else "en"
    return "es" if rng.random() < 0.85 else "en"


def place_label(place, language: str) -> str:
    return {"en": place[0], "es": place[1], "km": place[2]}[language]


def jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    """A point around the town centre, within roughly 8 km."""
    distance = abs(rng.gauss(0, 2500))
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / 111_320
    dlon = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def event_time(rng: random.Random) -> datetime:
    # More recent years have more reports, as adoption grows.
    span = (END - START).total_seconds()
    fraction = rng.random() ** 0.7
    return START + timedelta(seconds=int(span * fraction))


def make_report(rng: random.Random, n: int) -> dict:
    place = pick(rng, [(p, p[-1]) for p in PLACES])
    country = place[7]
    language = language_for(rng, country)
    slug = pick(rng, [(s, w) for s, (w, _) in CATEGORIES.items()])
    title, what = CATEGORIES[slug][1][language]
    label = place_label(place, language)
    description = " ".join(
        part
        for part in (
            rng.choice(OPENINGS[language]).format(what=what, place=label),
            rng.choice(CLOSINGS[language]),
        )
        if part
    )
    categories = [slug]
    if rng.random() < 0.15:
        categories.append(rng.choice(["debt-bondage", "recruitment-fraud", "suspicious-activity"]))
    occurred = event_time(rng)
    report = {
        "key": f"sample-{n:05d}",
        "source": pick(rng, SOURCES),
        "status": pick(rng, STATUSES),
        "title": title,
        "description": description,
        "occurred_at": occurred.isoformat(),
        "received_at": (occurred + timedelta(hours=rng.randint(0, 96))).isoformat(),
        "categories": sorted(set(categories)),
        "language": language,
        "place_name": label,
    }
    if rng.random() < 0.95:
        lat, lon = jitter(rng, place[4], place[5])
        report["location"] = {"lat": lat, "lon": lon, "accuracy": rng.choice([10, 25, 50, 500])}
    if rng.random() < 0.3:
        prefix, digits = PHONE_PREFIX[country]
        report["contact"] = {
            "name": rng.choice(FIRST_NAMES[country]) if rng.random() < 0.5 else None,
            "phone": prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits)),
        }
    return report


def write_gazetteer(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["name", "name_es", "name_local", "variants", "lat", "lon", "admin_area", "country"]
        )
        for name, es, local, variants, lat, lon, admin, country, _weight in PLACES:
            writer.writerow([name, es, local, variants, lat, lon, admin, country])


def write_reports(path: Path, count: int = COUNT, seed: int = SEED) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps(make_report(rng, n), ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_gazetteer(HERE / "gazetteer.csv")
    write_reports(HERE / "reports.jsonl")
    print(f"wrote {COUNT} reports and {len(PLACES)} places to {HERE}")

"""The toegankelijkheidsverklaring in the form of the Dutch model statement.

The model (digitoegankelijk.nl, the invulassistent of toegankelijkheidsverklaring.nl, under the
Besluit digitale toegankelijkheid overheid) has fixed parts: the statement ("[organisatie]
streeft ernaar ..."), the website it covers, the compliance status A-E, how that status is
supported (onderzoek), the known deviations per WCAG success criterion with measures and dates,
the sign-off, feedback and contact, the complaint procedure, and an explanation of the statuses.

Who the organisation is, its contact address, the website's address and the dates come from
``settings.ACCESSIBILITY_STATEMENT`` (``JEUGDSTELSEL_TOEGANKELIJKHEID_*``), so a municipality
that runs the application states its own. The status is derived, not typed in: A or B only with
a report of a complete study younger than three years; otherwise C while a study is planned
within six months of the statement's last revision and that date has not passed, else D. So the
page never claims "eerste maatregelen genomen" after the planned study failed to appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: The official status letters and their names (digitoegankelijk.nl, "De status").
STATUS_NAMES = {
    "A": "voldoet volledig",
    "B": "voldoet gedeeltelijk",
    "C": "eerste maatregelen genomen",
    "D": "voldoet niet",
    "E": "geen inzicht",
}

#: What each status means, after the table on digitoegankelijk.nl (own words, Dutch).
STATUS_EXPLANATIONS = {
    "A": "Een volledig onderzoek van minder dan drie jaar oud toont aan dat de website aan alle "
         "50 eisen (de succescriteria van WCAG 2.1 op niveau A en AA) voldoet. Voldoet aan de "
         "wet.",
    "B": "Een volledig onderzoek van minder dan drie jaar oud toont aan dat de website nog niet "
         "aan alle eisen voldoet. Voor elke afwijking zijn oorzaak, gevolg, maatregel en een "
         "datum bekend. Voldoet aan de wet, als de website elk jaar aantoonbaar beter wordt.",
    "C": "Er is een verklaring, maar nog geen volledig onderzoek; een volledig onderzoek is "
         "binnen zes maanden gepland. Voldoet aan de wet, voor ten hoogste zes maanden na de "
         "verklaring.",
    "D": "Er is een verklaring, maar geen volledig onderzoek en er is er ook niet binnen zes "
         "maanden een gepland. Voldoet niet aan de wet.",
    "E": "Er is geen verklaring gepubliceerd, dus geen inzicht in de toegankelijkheid. Voldoet "
         "niet aan de wet.",
}

#: A study supports status A or B for three years (digitoegankelijk.nl).
STUDY_VALID_YEARS = 3
#: Status C holds for at most six months after the statement (digitoegankelijk.nl).
PLANNED_WITHIN_MONTHS = 6


@dataclass(frozen=True)
class Deviation:
    """A known deviation from one WCAG 2.1 success criterion, as the model asks for it."""

    criterion: str  # number and Dutch name
    level: str
    where: str
    consequence: str  # what it means for a visitor
    alternative: str
    measure: str
    planned: dt.date


#: Known deviations, found by the project's own checks (no complete study yet). Kept honest:
#: a deviation is removed here when its measure is done and tested.
KNOWN_DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "2.2.1 Timing aanpasbaar", "A",
        "Na inloggen, alle formulieren",
        "Een sessie eindigt na een vaste tijd (standaard 8 uur) zonder waarschuwing vooraf. Wie "
        "dan een formulier verstuurt, moet opnieuw inloggen en is de ingevulde gegevens kwijt.",
        "De beheerder van de installatie kan de sessieduur op 20 uur of meer zetten; sla een "
        "lang formulier tussentijds op.",
        "Een waarschuwing vóór het einde van de sessie met de keuze om door te gaan, en "
        "ingevulde gegevens die na opnieuw inloggen bewaard blijven.",
        dt.date(2027, 3, 31),
    ),
    Deviation(
        "3.1.2 Taal van onderdelen", "AA",
        "Transparantie (beschrijving voor het Algoritmeregister)",
        "Enkele titels van bronnen zijn Engelstalig, maar niet als Engels gemarkeerd. Een "
        "schermlezer spreekt ze met een Nederlandse uitspraak uit.",
        "Niet nodig voor de inhoud: het gaat alleen om de namen van bronnen; de beschrijving "
        "zelf is Nederlands.",
        "De taal van Engelstalige brontitels markeren (lang=\"en\").",
        dt.date(2027, 3, 31),
    ),
)

#: Parts that the project's checks do not reach, named so (the model asks for them).
NOT_STUDIED = (
    "Het beheergedeelte van Django (/beheer/, alleen voor beheerders) is niet getoetst.",
    "De downloads (raadsrapport als PDF/UA, Excel-werkmap) zijn alleen geautomatiseerd "
    "gecontroleerd: de PDF op structuur, documenttaal, titel, ingesloten lettertypen en een "
    "tekstalternatief bij elke figuur; niet met een volledige PDF/UA-validator.",
)

#: How the site is tested (the model's "onderbouwing", short of a complete study).
CHECKS = (
    "Bij elke wijziging toetsen geautomatiseerde browsertests elke pagina van de website, "
    "ook de pagina's na inloggen, met axe-core op de succescriteria van WCAG 2.1 niveau A en "
    "AA, op een breedte van 1280 en van 390 pixels (een telefoon). Een ernstige of kritieke "
    "bevinding houdt de wijziging tegen. De test leidt de lijst van pagina's af uit de "
    "adressen van de applicatie, zodat een nieuwe pagina niet ongetoetst blijft.",
    "Dezelfde tests controleren dat geen pagina op 390 pixels breed zijwaarts hoeft te "
    "worden geschoven (WCAG 1.4.10) en dat tabellen en grafieken die breder zijn met het "
    "toetsenbord te bereiken zijn.",
    "Browsertests van de belangrijkste taken (inloggen, een doel en een meting toevoegen, een "
    "scenario doorrekenen en vergelijken) met axe-core bij elke stap, ook met foutmeldingen in "
    "formulieren; de link \"Direct naar de inhoud\" is de eerste toetsaanslag en wordt "
    "zichtbaar bij focus.",
    "Met de hand: de schermafdrukken van alle pagina's op telefoonbreedte bekeken. Een "
    "volledige handmatige toets (met alleen het toetsenbord, met een schermlezer, bij 200% en "
    "400% zoom) is nog niet gedaan.",
)

#: Measures taken to keep the site accessible (the model's "maatregelen"), besides the checks.
MEASURES = (
    "De toetsen hierboven draaien bij elke wijziging van de website; een wijziging met een "
    "ernstige of kritieke bevinding wordt niet opgeleverd.",
    "Elke grafiek heeft een tabel met dezelfde cijfers; lijnen verschillen in kleur, "
    "streepjespatroon én symbool; formulieren tonen een fout bij het veld en in een "
    "samenvatting bovenaan.",
    "De componenten en ontwerptokens van het NL Design System; alles wordt van de eigen server "
    "geladen.",
)

#: What a visitor may expect after a message (the model asks for response times).
ACKNOWLEDGE_WORKDAYS = 5
ANSWER_WORKDAYS = 15

NATIONAL_OMBUDSMAN = ("de Nationale ombudsman", "https://www.nationaleombudsman.nl/")


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def status_letter(cfg: dict, today: dt.date) -> str:
    """A, B, C or D from what the organisation has (a study) and plans (a date)."""
    study = cfg.get("study_date")
    if cfg.get("study_url") and study and _add_months(study, 12 * STUDY_VALID_YEARS) >= today:
        return cfg.get("status") if cfg.get("status") in ("A", "B") else "B"
    planned = cfg.get("study_planned")
    revised = cfg.get("reviewed") or cfg.get("drawn_up")
    if planned and revised and today <= planned <= _add_months(revised, PLANNED_WITHIN_MONTHS):
        return "C"
    return "D"


def statement(cfg: dict, site_url: str, today: dt.date | None = None) -> dict:
    """Everything the page shows, from the settings and today's date."""
    today = today or dt.date.today()
    letter = status_letter(cfg, today)
    name, url = cfg.get("ombudsman_name"), cfg.get("ombudsman_url")
    return {
        "organisation": cfg["organisation"],
        "organisation_is_default": cfg.get("organisation_is_default", False),
        "contact": cfg.get("contact", ""),
        "contact_is_email": "@" in cfg.get("contact", "") and "/" not in cfg.get("contact", ""),
        "url": cfg.get("url") or site_url,
        "overview_url": cfg.get("overview_url", ""),
        "register_url": cfg.get("register_url", ""),
        "drawn_up": cfg["drawn_up"],
        "reviewed": cfg.get("reviewed") or cfg["drawn_up"],
        "signed_by": cfg.get("signed_by", ""),
        "signed_on": cfg.get("signed_on"),
        "study_url": cfg.get("study_url", ""),
        "study_date": cfg.get("study_date"),
        "study_planned": cfg.get("study_planned"),
        "letter": letter,
        "status_name": STATUS_NAMES[letter],
        "status_explanation": STATUS_EXPLANATIONS[letter],
        "statuses": [(k, STATUS_NAMES[k], STATUS_EXPLANATIONS[k]) for k in STATUS_NAMES],
        "deviations": KNOWN_DEVIATIONS,
        "not_studied": NOT_STUDIED,
        "checks": CHECKS,
        "measures": MEASURES,
        "acknowledge_workdays": ACKNOWLEDGE_WORKDAYS,
        "answer_workdays": ANSWER_WORKDAYS,
        "municipal_ombudsman": (name, url) if name else None,
        "national_ombudsman": NATIONAL_OMBUDSMAN,
    }

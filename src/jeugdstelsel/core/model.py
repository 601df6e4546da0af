"""The model declared once, as data: parameters (with checked units), stocks, factors and flows.

Everything else is generated from or checked against these declarations:

* the engine's parameter rows and stock positions (:mod:`jeugdstelsel.core.layout` writes them
  into core/simulate.py; :data:`KERNEL_PARAMS` is their order);
* docs/model.md, the stock-and-flow diagram and ``jeugdstelsel model``
  (:mod:`jeugdstelsel.services.modeldoc`), and the Algoritmeregister text;
* the plain NumPy reference of a month (:mod:`jeugdstelsel.core.reference`), which reads
  parameters only through each flow's declaration;
* the PySD/Vensim cross-check (benchmarks/pysd_model.py);
* tests/core/test_declaration.py, which traces the kernel's source and fails when a flow depends
  on a parameter its declaration does not name.

A :class:`Flow` names the parameters its rate reads directly and the :class:`Factor` s it builds
on (need, routing, supply factor, threshold, risk index, capacity, ...); ``Flow.parameters``
is everything it depends on. The numbered flows follow shared/DESIGN.md section 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from jeugdstelsel.core import units as U
from jeugdstelsel.core.parameters import Parameter, Source

S003 = "seed 003 (NJi, Het groeiend jeugdzorggebruik, 2019)"
S002 = "seed 002 (PvdA, aanbevelingen lokaal jeugdbeleid)"
S001 = "seed 001 (verkiezingsmanifest jeugdzorgaanbieders, 2022)"
NJI_JZ = "NJi Cijfers over jeugdzorg (CBS), 2016-2022"
CBS_TRAJ = "CBS StatLine 85096NED (jeugdhulptrajecten; verwijzer), 2021"
CBS_JB = "CBS Jeugdbescherming en jeugdreclassering 2019-2022"


def _cal(reference: str, detail: str) -> Source:
    return Source("aanname", reference, detail)


PARAMETERS: tuple[Parameter, ...] = (
    # --- flow 1: need arises in the base ------------------------------------------------------
    Parameter(
        "need_incidence",
        "Nieuwe hulpvraag (4-11 jaar)",
        U.PER_CHILD_PER_MONTH,
        0.0045,
        0.001,
        0.015,
        Source("nji", NJI_JZ, "gekalibreerd op jongeren met jeugdzorg 2016-2021"),
        "Maandelijkse kans dat bij een kind van 4-11 jaar zonder zorg een hulpvraag ontstaat "
        "die bij een hulpverlener terechtkomt (bij risico-index 1 en drempel van 2015).",
        calibrated=True,
        group="vraag",
    ),
    Parameter(
        "age_rel_0_3",
        "Relatieve hulpvraag 0-3 jaar",
        U.relative_to("4-11 jaar"),
        0.3,
        0.05,
        1.0,
        Source(
            "cbs",
            "CBS Jeugdhulp 1e halfjaar 2017 naar leeftijd",
            "2,6% van 0-3-jarigen tegen 10,3% van 4-11-jarigen",
        ),
        "Hulpvraag van 0-3-jarigen ten opzichte van 4-11-jarigen.",
        calibrated=True,
        group="vraag",
    ),
    Parameter(
        "age_rel_12_17",
        "Relatieve hulpvraag 12-17 jaar",
        U.relative_to("4-11 jaar"),
        1.0,
        0.4,
        2.0,
        Source(
            "cbs",
            "CBS Jeugdhulp 1e halfjaar 2017 naar leeftijd",
            "10,6% van 12-17-jarigen tegen 10,3% van 4-11-jarigen",
        ),
        "Hulpvraag van 12-17-jarigen ten opzichte van 4-11-jarigen.",
        calibrated=True,
        group="vraag",
    ),
    Parameter(
        "threshold_trend",
        "Groei van de geluksnorm",
        U.PER_YEAR_LOG,
        0.02,
        -0.04,
        0.08,
        Source(
            "seed",
            S003,
            "hoge geluksnorm: gewone obstakels worden een probleem; van 1 op "
            "27 (2000) naar 1 op 8 (2018)",
        ),
        "Jaarlijkse groei van wat als probleem geldt (drempel voor hulp); verhoogt de "
        "hulpvraag exponentieel vanaf 2015.",
        calibrated=True,
        group="vraag",
    ),
    Parameter(
        "threshold_level",
        "Niveau van de drempel (normalisering)",
        U.FACTOR,
        1.0,
        0.5,
        1.5,
        Source("seed", S003, "publiek debat: leggen we de geluksnorm niet te hoog?"),
        "Vermenigvuldiger op de hulpvraag; 1 is de waargenomen situatie. Hefboom: publiek "
        "debat over normaliseren.",
        distribution="fixed",
        group="vraag",
    ),
    Parameter(
        "protection",
        "Beschermende werking van basis en preventie",
        U.FRACTION,
        0.0,
        0.0,
        0.6,
        Source(
            "seed",
            S003,
            "vier ingrediënten: sterke basis en preventie verminderen de behoefte aan jeugdzorg",
        ),
        "Aandeel van de hulpvraag dat een versterkte basis en samenhangende preventie "
        "voorkomen, bovenop de waargenomen situatie (0 = zoals gemeten).",
        distribution="fixed",
        group="vraag",
    ),
    # --- flow 2: routing ------------------------------------------------------------------------
    Parameter(
        "route_first_line",
        "Routering naar eerste lijn",
        U.REFERRAL_WEIGHT,
        2.5,
        0.3,
        12.0,
        Source("cbs", CBS_TRAJ, "gemeentelijke toegang 30,8% van gestarte trajecten"),
        "Relatief gewicht van de route naar de eerste lijn (wijkteam, CJG) voor een nieuwe "
        "hulpvraag.",
        calibrated=True,
        group="routering",
    ),
    Parameter(
        "route_gp",
        "Verwijzing door huisarts",
        U.REFERRAL_WEIGHT,
        2.9,
        0.5,
        12.0,
        Source("cbs", CBS_TRAJ, "huisarts 38,5% van gestarte trajecten"),
        "Relatief gewicht van directe verwijzing door de huisarts.",
        calibrated=True,
        group="routering",
    ),
    Parameter(
        "route_youth_doctor",
        "Verwijzing door jeugdarts",
        U.REFERRAL_WEIGHT,
        0.23,
        0.02,
        2.0,
        Source("cbs", CBS_TRAJ, "jeugdarts 3,1%"),
        "Relatief gewicht van directe verwijzing door de jeugdarts.",
        calibrated=True,
        group="routering",
    ),
    Parameter(
        "route_medical_specialist",
        "Verwijzing door medisch specialist",
        U.REFERRAL_WEIGHT,
        0.37,
        0.05,
        3.0,
        Source("cbs", CBS_TRAJ, "medisch specialist 4,9%"),
        "Relatief gewicht van directe verwijzing door een medisch specialist.",
        calibrated=True,
        group="routering",
    ),
    Parameter(
        "fl_route_trend",
        "Groei routering via eerste lijn",
        U.PER_YEAR_LOG,
        0.0,
        -0.08,
        0.2,
        Source(
            "seed",
            "seed 000 (NJi) en seed 002",
            "lokale teams werden na 2015 opgebouwd en investeren in de toegang; gekalibreerd",
        ),
        "Jaarlijkse groei van het gewicht van de route naar de eerste lijn sinds 2015.",
        calibrated=True,
        group="routering",
    ),
    Parameter(
        "poh_shift",
        "Verwijzingen huisarts opgevangen door POH-jeugd",
        U.FRACTION,
        0.0,
        0.0,
        0.8,
        Source(
            "seed", S002, "praktijkondersteuners jeugd bij huisartsen tegen snelle doorverwijzing"
        ),
        "Aandeel van de huisartsverwijzingen dat in de eerste lijn (POH-jeugd) blijft, "
        "bovenop de waargenomen situatie.",
        distribution="fixed",
        group="routering",
    ),
    Parameter(
        "school_shift",
        "Hulpvragen opgevangen door jeugdhulp op school",
        U.FRACTION,
        0.0,
        0.0,
        0.8,
        Source("seed", S002, "jeugdhulp op school zonder beschikking"),
        "Aandeel van de verwijzingen door jeugdarts en zonder verwijzer dat beschikkingsvrij "
        "op school wordt opgevangen.",
        distribution="fixed",
        group="routering",
    ),
    # --- flow 3: first line ---------------------------------------------------------------------
    Parameter(
        "fl_duration",
        "Duur eerstelijnshulp",
        U.MONTHS,
        6.0,
        2.0,
        14.0,
        _cal(
            "aanname",
            "lichte hulp duurt enkele maanden; gekalibreerd op jongeren met "
            "hulp van het wijkteam (CBS 2016-2019)",
        ),
        "Gemiddelde duur van hulp door wijkteam/CJG/POH.",
        calibrated=True,
        group="eerste lijn",
    ),
    Parameter(
        "fl_escalation",
        "Opschaling vanuit eerste lijn",
        U.FRACTION,
        0.3,
        0.05,
        0.7,
        Source("cbs", CBS_TRAJ, "gemeentelijke toegang als verwijzer; gekalibreerd"),
        "Aandeel van de eerstelijnstrajecten dat doorverwezen wordt naar specialistische hulp.",
        calibrated=True,
        group="eerste lijn",
    ),
    Parameter(
        "defensive_factor",
        "Defensief beslissen",
        U.Unit(U.Dimension.FACTOR, "op opschaling"),
        1.0,
        0.4,
        1.5,
        Source("seed", S003, "professionals kiezen veiligheidshalve vaak voor zorg"),
        "Vermenigvuldiger op de opschaling; teambesluiten en uitkomstmonitoring verlagen hem.",
        distribution="fixed",
        group="eerste lijn",
    ),
    Parameter(
        "fl_cbs_share",
        "Eerstelijnshulp geteld als jeugdhulp",
        U.FRACTION,
        0.5,
        0.1,
        1.0,
        Source(
            "cbs",
            "CBS Jeugdhulp 2019: jeugdhulp door wijk-/buurtteam",
            "gekalibreerd op 62-82 duizend jongeren per jaar",
        ),
        "Aandeel van de eerstelijnstrajecten dat CBS als jeugdhulp door het wijkteam telt "
        "(POH-jeugd en lichte school- of CJG-hulp telt CBS niet).",
        calibrated=True,
        group="eerste lijn",
    ),
    # --- flow 4: waiting and capacity -----------------------------------------------------------
    Parameter(
        "min_wait",
        "Minimale doorlooptijd tot start",
        U.MONTHS,
        1.5,
        0.5,
        3.0,
        _cal(
            "aanname", "aanmelding, intake en beschikking kosten ook zonder wachtlijst enkele weken"
        ),
        "Gemiddelde tijd van verwijzing tot start als er plek is.",
        group="capaciteit",
    ),
    Parameter(
        "capacity_margin",
        "Capaciteit 2015 t.o.v. bezetting",
        U.FACTOR,
        1.02,
        0.95,
        1.2,
        _cal("aanname", "in 2015 waren er wachtlijsten: weinig vrije capaciteit"),
        "Gecontracteerde plekken specialistische hulp begin 2015 als veelvoud van de bezetting.",
        group="capaciteit",
    ),
    Parameter(
        "capacity_growth",
        "Groei gecontracteerde capaciteit",
        U.PER_YEAR,
        0.03,
        -0.02,
        0.1,
        Source("seed", S002, "aantal aanbieders groeide sterk na 2015"),
        "Jaarlijkse groei van het aantal plekken specialistische jeugdhulp. Er is geen "
        "representatieve landelijke wachttijd gepubliceerd, dus niet gekalibreerd.",
        group="capaciteit",
    ),
    # --- flow 5: specialist care ----------------------------------------------------------------
    Parameter(
        "residential_share",
        "Aandeel met verblijf bij start",
        U.FRACTION,
        0.12,
        0.03,
        0.35,
        Source("nji", "NJi databank jeugdhulp met verblijf 2015-2019", "gekalibreerd"),
        "Aandeel van de starts in specialistische hulp met verblijf (pleegzorg, gezinshuis, "
        "instelling).",
        calibrated=True,
        group="specialistisch",
    ),
    Parameter(
        "residential_trend",
        "Trend aandeel met verblijf",
        U.PER_YEAR_LOG,
        0.0,
        -0.08,
        0.04,
        Source("cbs", "CBS Jeugdhulp: jongeren met jeugdhulp met verblijf 2019-2023 "
               "43,0 → 43,9 → 41,0 duizend; Hervormingsagenda Jeugd: minder verblijf",
               "gekalibreerd"),
        "Jaarlijkse (log-)verandering van het aandeel met verblijf bij de start, vanaf 2015: "
        "de beweging naar minder verblijf die de cijfers sinds 2021 laten zien.",
        calibrated=True,
        group="specialistisch",
    ),
    Parameter(
        "amb_duration",
        "Duur hulp zonder verblijf",
        U.MONTHS,
        12.0,
        5.0,
        26.0,
        Source("cbs", CBS_TRAJ, "beëindigde trajecten 2021 naar duur: gemiddeld ca. 13,6 maanden"),
        "Gemiddelde duur van specialistische hulp zonder verblijf.",
        calibrated=True,
        group="specialistisch",
    ),
    Parameter(
        "res_duration",
        "Duur hulp met verblijf",
        U.MONTHS,
        15.0,
        6.0,
        40.0,
        Source("nji", "NJi databank jeugdhulp met verblijf", "gekalibreerd"),
        "Gemiddelde duur van jeugdhulp met verblijf.",
        calibrated=True,
        group="specialistisch",
    ),
    Parameter(
        "step_up_rate",
        "Opschaling naar verblijf",
        U.PER_MONTH,
        0.002,
        0.0,
        0.01,
        _cal("aanname", "een klein deel van de ambulante hulp schaalt op naar verblijf"),
        "Maandelijkse kans van ambulante naar residentiële hulp.",
        group="specialistisch",
    ),
    Parameter(
        "step_down_rate",
        "Afschaling uit verblijf",
        U.PER_MONTH,
        0.02,
        0.0,
        0.06,
        _cal("aanname", "afschalen naar ambulante hulp na verblijf (seed 004: op- en afschalen)"),
        "Maandelijkse kans van residentiële naar ambulante hulp.",
        group="specialistisch",
    ),
    Parameter(
        "plan_share",
        "Beëindigd volgens plan",
        U.FRACTION,
        0.72,
        0.55,
        0.85,
        _cal(
            "aanname",
            "CBS 85097NED publiceert dit aandeel; het zit nog niet in de "
            "referentieset, ca. driekwart is een gangbare orde van grootte",
        ),
        "Aandeel van de beëindigde trajecten dat volgens plan eindigt.",
        group="specialistisch",
    ),
    Parameter(
        "supply_induced",
        "Aanbod schept vraag",
        U.RELATIVE_INCREASE,
        0.1,
        0.0,
        0.3,
        Source("seed", S002, "aanbod schept vraag: veel kleine aanbieders"),
        "Verlenging van duur en toename van directe verwijzingen bij een versnipperd "
        "aanbod (fragmentatie 1).",
        group="specialistisch",
    ),
    Parameter(
        "fragmentation",
        "Versnippering van het aanbod",
        U.Unit(U.Dimension.INDEX, "1 = 2015-2021"),
        1.0,
        0.0,
        1.5,
        Source("seed", S002, "meerjarige contracten met een beperkt aantal aanbieders"),
        "Mate van versnippering van de ingekochte zorg; hefboom: meerjarige contracten met "
        "weinig aanbieders.",
        distribution="fixed",
        group="specialistisch",
    ),
    Parameter(
        "trajectories_per_episode",
        "Trajecten per zorgepisode",
        U.TRAJECTORIES,
        1.3,
        1.0,
        2.0,
        Source("cbs", "CBS Jeugdhulp 2018-2021: begonnen trajecten", "gekalibreerd"),
        "CBS telt trajecten per aanbieder en product; een zorgepisode in het model omvat "
        "er gemiddeld zoveel.",
        calibrated=True,
        group="specialistisch",
    ),
    # --- flow 6: after-care and re-entry --------------------------------------------------------
    Parameter(
        "reentry_rate",
        "Herhaald beroep",
        U.PER_MONTH,
        0.03,
        0.005,
        0.09,
        Source(
            "seed",
            S003,
            "2016-2018 zeker 25% van de trajecten herhaald beroep (CBS); "
            "gekalibreerd op CBS 2021 (23,7%)",
        ),
        "Maandelijkse kans op een nieuw beroep op hulp in de 12 maanden na beëindiging.",
        calibrated=True,
        group="nazorg",
    ),
    Parameter(
        "relapse_prevention",
        "Terugvalpreventie en nazorg",
        U.Unit(U.Dimension.FRACTION, "minder herhaald beroep"),
        0.0,
        0.0,
        0.7,
        Source("seed", S003, "intensieve hulp met duurzame effecten"),
        "Vermindering van herhaald beroep door nazorg en bijschakelen in de omgeving "
        "(0 = zoals gemeten).",
        distribution="fixed",
        group="nazorg",
    ),
    Parameter(
        "aftercare_months",
        "Nazorgperiode",
        U.MONTHS,
        12.0,
        6.0,
        24.0,
        Source("aanname", "shared/DESIGN.md §2", "beëindigd minder dan 12 maanden geleden"),
        "Gemiddelde tijd in de risicogroep voor herhaald beroep.",
        distribution="fixed",
        group="nazorg",
    ),
    # --- the 18-year boundary ----------------------------------------------------------------
    Parameter(
        "extension_share",
        "Verlengde jeugdhulp na 18",
        U.FRACTION,
        0.15,
        0.02,
        0.6,
        Source("nji", NJI_JZ, "18-22-jarigen met jeugdzorg; gekalibreerd"),
        "Aandeel van wie op 18 in specialistische hulp is dat die voortzet.",
        calibrated=True,
        group="18-grens",
    ),
    Parameter(
        "extension_max_age",
        "Maximale leeftijd verlengde jeugdhulp",
        U.YEARS,
        21.0,
        18.0,
        23.0,
        Source("seed", S001, "geen harde knip op 18; verlenging tot 21/23 (Big Five)"),
        "Leeftijd waarop verlengde jeugdhulp uiterlijk stopt.",
        distribution="fixed",
        group="18-grens",
    ),
    # --- flow 7: child protection and juvenile probation (overlays) ---------------------------
    Parameter(
        "jb_rate",
        "Instroom jeugdbescherming",
        U.per_month("kind 0-17"),
        3.0e-4,
        1.0e-4,
        8.0e-4,
        Source("cbs", CBS_JB, "instroom 12-13 duizend maatregelen per jaar"),
        "Maandelijkse kans op een kinderbeschermingsmaatregel (OTS, voogdij).",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "jb_trend",
        "Trend instroom jeugdbescherming",
        U.PER_YEAR_LOG,
        0.0,
        -0.2,
        0.1,
        Source(
            "cbs",
            CBS_JB,
            "instroom daalde van 13,0 duizend (2019) naar 9,1 duizend (2022*); gekalibreerd",
        ),
        "Jaarlijkse verandering van de kans op een maatregel sinds 2015.",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "jb_duration",
        "Duur jeugdbeschermingsmaatregel",
        U.MONTHS,
        30.0,
        12.0,
        60.0,
        Source("cbs", CBS_JB, "stand ca. 31 duizend bij instroom ca. 12 duizend per jaar"),
        "Gemiddelde duur van een maatregel (eindigt uiterlijk op 18).",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "gi_referral_rate",
        "Verwijzing door gecertificeerde instelling",
        U.PER_MONTH,
        0.05,
        0.005,
        0.2,
        Source("cbs", CBS_TRAJ, "gecertificeerde instelling 8,1%"),
        "Maandelijkse kans dat een kind onder een maatregel zonder zorg wordt verwezen.",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "jb_overlap",
        "Overlap jeugdbescherming en jeugdhulp",
        U.FRACTION,
        0.7,
        0.3,
        0.95,
        _cal(
            "aanname",
            "de meeste kinderen onder een maatregel krijgen ook jeugdhulp; "
            "gekalibreerd op jeugdzorg totaal",
        ),
        "Aandeel van de kinderen onder een maatregel dat in hetzelfde jaar ook jeugdhulp "
        "heeft (telt één keer in jeugdzorg totaal).",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "jr_rate",
        "Instroom jeugdreclassering",
        U.per_month("jongere 12-17"),
        2.5e-4,
        0.5e-4,
        8.0e-4,
        Source("cbs", CBS_JB, "instroom ca. 5,4-5,7 duizend per jaar"),
        "Maandelijkse kans op jeugdreclassering voor 12-17-jarigen.",
        calibrated=True,
        group="jeugdreclassering",
    ),
    Parameter(
        "jr_trend",
        "Trend instroom jeugdreclassering",
        U.PER_YEAR_LOG,
        0.0,
        -0.2,
        0.1,
        Source(
            "cbs",
            CBS_JB,
            "lopende jeugdreclassering daalde van 6,0 duizend (2019) "
            "naar 5,0 duizend (2022); gekalibreerd",
        ),
        "Jaarlijkse verandering van de kans op jeugdreclassering sinds 2015.",
        calibrated=True,
        group="jeugdreclassering",
    ),
    Parameter(
        "jr_age_rel_18_22",
        "Relatieve instroom jeugdreclassering 18-22",
        U.relative_to("12-17"),
        0.5,
        0.1,
        1.5,
        _cal("aanname", "adolescentenstrafrecht tot 23 jaar; minder vaak dan bij minderjarigen"),
        "Instroom van 18-22-jarigen ten opzichte van 12-17-jarigen.",
        group="jeugdreclassering",
    ),
    Parameter(
        "jr_duration",
        "Duur jeugdreclassering",
        U.MONTHS,
        12.0,
        4.0,
        24.0,
        Source("cbs", CBS_JB, "stand ca. 5-6 duizend bij instroom ca. 5,5 duizend per jaar"),
        "Gemiddelde duur van jeugdreclassering.",
        calibrated=True,
        group="jeugdreclassering",
    ),
    Parameter(
        "court_referral_rate",
        "Verwijzing door rechter/OvJ",
        U.PER_MONTH,
        0.02,
        0.0,
        0.1,
        Source("cbs", CBS_TRAJ, "rechter, officier van justitie 0,4%"),
        "Maandelijkse kans dat een jongere onder jeugdreclassering zonder zorg wordt verwezen.",
        group="jeugdreclassering",
    ),
    Parameter(
        "jr_overlap",
        "Overlap jeugdreclassering en jeugdhulp",
        U.FRACTION,
        0.5,
        0.1,
        0.9,
        _cal("aanname", "een deel van de jongeren met jeugdreclassering heeft ook jeugdhulp"),
        "Aandeel dat ook jeugdhulp of jeugdbescherming heeft.",
        group="jeugdreclassering",
    ),
    # --- persons versus measures (CBS counts unique young people, the model measures) ---------
    Parameter(
        "jb_persons_per_measure",
        "Jongeren per jeugdbeschermingsmaatregel",
        U.FRACTION,
        0.95,
        0.88,
        1.0,
        Source("cbs", "CBS Jeugdbescherming en jeugdreclassering 2022",
               "bijna 39.000 jongeren bij 31.960 lopende (1-1) en 9.064 nieuwe maatregelen: "
               "0,95; gekalibreerd"),
        "Unieke jongeren met jeugdbescherming in een jaar per maatregel die dat jaar liep of "
        "begon (een kind kan na een voorlopige OTS een OTS krijgen, of OTS en voogdij na "
        "elkaar).",
        calibrated=True,
        group="jeugdbescherming",
    ),
    Parameter(
        "jr_persons_per_measure",
        "Jongeren per jeugdreclasseringsmaatregel",
        U.FRACTION,
        0.72,
        0.62,
        0.82,
        Source("cbs", CBS_JB,
               "2019: 9.130 jongeren bij 5.980 lopende en 5.730 nieuwe maatregelen (0,78); "
               "2022: ruim 7.000 bij 4.985 en 5.380 (0,68); gekalibreerd"),
        "Unieke jongeren met jeugdreclassering in een jaar per maatregel die dat jaar liep of "
        "begon (jongeren krijgen vaak meer dan één maatregel in een jaar).",
        calibrated=True,
        group="jeugdreclassering",
    ),
    # --- the data trap: reporting coverage ----------------------------------------------------
    Parameter(
        "coverage_pre2021",
        "CBS-dekking jeugdhulp vóór 2021",
        U.FRACTION,
        0.937,
        0.85,
        0.99,
        Source(
            "cbs",
            "CBS Jeugdmonitor 2023, inleiding: 'In 2021 bedroeg de stijging [van het "
            "jeugdhulpgebruik] 1,5 procent'; gepubliceerd steeg het aantal jongeren met "
            "jeugdhulp (natura en/of pgb) van 423.400 (2020) naar 458.465 (2021)",
            "prior 1,015 x 423.400 / 458.465 = 0,937: het verschil tussen de gepubliceerde "
            "stijging (8,3%) en de werkelijke (1,5%) is de trendbreuk (aanname: de 1,5% "
            "telt zonder de nieuw rapporterende aanbieders; eerder 1 - 53.000/424.000, maar "
            "veel van die 53.000 jongeren kregen ook hulp bij een bestaande aanbieder); "
            "gekalibreerd. Een publicatie van 2023: de toets gebruikt haar ook bij oorsprongen "
            "vóór 2021",
        ),
        "Aandeel van de jeugdhulp zonder verblijf dat CBS tot en met 2020 waarnam; vanaf "
        "2021 1 (trendbreuk, shared/DESIGN.md §5). De nieuw rapporterende aanbieders zijn "
        "vooral kleine ambulante praktijken.",
        calibrated=True,
        group="registratie",
    ),
    Parameter(
        "coverage_pre2021_residential",
        "CBS-dekking jeugdhulp met verblijf vóór 2021",
        U.FRACTION,
        0.98,
        0.9,
        1.0,
        _cal(
            "aanname",
            "de nieuw rapporterende aanbieders van 2021 waren vooral ambulant: jeugdhulp met "
            "verblijf 2020-2021 (CBS) 43,0 → 43,9 duizend, geen sprong zoals zonder "
            "verblijf; gekalibreerd",
        ),
        "Aandeel van de jeugdhulp met verblijf dat CBS tot en met 2020 waarnam: een eigen "
        "trendbreukfactor per vorm van zorg.",
        calibrated=True,
        group="registratie",
    ),
    # --- money --------------------------------------------------------------------------------
    Parameter(
        "cost_first_line",
        "Kosten eerstelijnshulp",
        U.euro_per_month("kind"),
        150.0,
        50.0,
        400.0,
        _cal("aanname", "een paar gesprekken per maand met een wijkteammedewerker"),
        "Maandelijkse kosten van hulp in de eerste lijn.",
        group="kosten",
    ),
    Parameter(
        "cost_ambulatory",
        "Kosten hulp zonder verblijf",
        U.euro_per_month("kind"),
        700.0,
        300.0,
        1500.0,
        _cal("aanname", "gangbare tarieven ambulante jeugdhulp; geschaald met kostenschaal"),
        "Maandelijkse kosten van specialistische hulp zonder verblijf.",
        group="kosten",
    ),
    Parameter(
        "cost_residential",
        "Kosten hulp met verblijf",
        U.euro_per_month("kind"),
        5000.0,
        2000.0,
        10000.0,
        _cal("aanname", "mix van pleegzorg (goedkoper) en instellingen (duurder)"),
        "Maandelijkse kosten van jeugdhulp met verblijf.",
        group="kosten",
    ),
    Parameter(
        "cost_jb",
        "Kosten jeugdbescherming",
        U.euro_per_month("maatregel"),
        400.0,
        200.0,
        800.0,
        _cal("aanname", "tarief gecertificeerde instelling"),
        "Maandelijkse kosten van een jeugdbeschermingsmaatregel.",
        group="kosten",
    ),
    Parameter(
        "cost_jr",
        "Kosten jeugdreclassering",
        U.euro_per_month("jongere"),
        350.0,
        150.0,
        700.0,
        _cal("aanname", "tarief gecertificeerde instelling"),
        "Maandelijkse kosten van jeugdreclassering.",
        group="kosten",
    ),
    Parameter(
        "cost_scale",
        "Kostenschaal",
        U.FACTOR,
        1.0,
        0.4,
        2.5,
        Source(
            "cbs",
            "uitgaven gemeenten jeugd 2019 ca. 5,4-5,6 mld euro; ca. 10.000 euro "
            "per kind in zorg (2017)",
            "gekalibreerd",
        ),
        "Schaalt alle eenheidskosten zodat de uitgaven aansluiten bij de gemeten uitgaven.",
        calibrated=True,
        group="kosten",
    ),
    Parameter(
        "tariff_index",
        "Tariefindexatie",
        U.PER_YEAR,
        0.025,
        0.0,
        0.05,
        _cal("aanname", "loon- en prijsbijstelling (OVA) van enkele procenten per jaar"),
        "Jaarlijkse stijging van de eenheidskosten.",
        group="kosten",
    ),
)

PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


@dataclass(frozen=True)
class Stock:
    """A stock of young people (per draw, municipality and age)."""

    name: str
    label_nl: str
    kind: str  # "state" (mutually exclusive) or "overlay" (counted on top of a state)
    description: str


@dataclass(frozen=True)
class Factor:
    """A named quantity that flows share: a function of parameters, inputs and other factors.

    ``inputs`` name what is not a parameter: ``risk`` (the municipal risk index, an input per
    municipality) and ``time`` (years since 1 January 2015, for the trends).
    """

    name: str
    label_nl: str
    formula: str
    own_parameters: tuple[str, ...]
    factors: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    """A monthly flow between stocks: a named function of named parameters and factors.

    ``own_parameters`` are the parameters the flow's rate reads directly, ``factors`` the shared
    quantities it builds on (:data:`FACTORS`); :attr:`parameters` is everything the rate
    depends on, the factors' parameters included. Flows out of one stock compete: the engine
    turns their hazards into ``1 - exp(-sum)`` and splits it in proportion (core.flows).
    """

    number: str  # the flow number of shared/DESIGN.md section 2
    name: str
    source: str  # stock name, or "bron" for births/migration
    target: str  # stock name, or "uit" for ageing out / migration
    label_nl: str
    formula: str
    own_parameters: tuple[str, ...]
    factors: tuple[str, ...] = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every parameter the flow's rate depends on: its own and its factors' (in order)."""
        return parameters_of(self)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs (risk index, time) the flow depends on through its factors."""
        seen: dict[str, None] = {}
        for name in _factor_closure(self.factors):
            seen.update(dict.fromkeys(FACTORS_BY_NAME[name].inputs))
        return tuple(seen)


FACTORS: tuple[Factor, ...] = (
    Factor(
        "risk", "risico-index", "invoer per gemeente (1 = landelijk gemiddelde)", (),
        inputs=("risk",),
    ),
    Factor(
        "threshold",
        "drempel (geluksnorm)",
        "niveau × exp(groei × jaren sinds 2015)",
        ("threshold_level", "threshold_trend"),
        inputs=("time",),
    ),
    Factor(
        "age_profile",
        "leeftijdsprofiel hulpvraag",
        "0-3 jaar: relatief; 4-11 jaar: 1; 12-17 jaar: relatief; vanaf 18: 0",
        ("age_rel_0_3", "age_rel_12_17"),
    ),
    Factor(
        "need",
        "hulpvraag",
        "incidentie × leeftijdsprofiel(a) × risico × drempel(t) × (1 - bescherming)",
        ("need_incidence", "protection"),
        ("age_profile", "risk", "threshold"),
    ),
    Factor(
        "supply_factor",
        "aanbod schept vraag",
        "1 + aanbod schept vraag × versnippering",
        ("supply_induced", "fragmentation"),
    ),
    Factor(
        "routing",
        "routering",
        "gewichten t.o.v. geen verwijzer (eerste lijn × exp(groei × jaren)), gedeeld door hun "
        "waargenomen som; POH-jeugd en school verschuiven naar de eerste lijn, directe routes "
        "× aanbodfactor",
        (
            "route_first_line",
            "fl_route_trend",
            "route_gp",
            "route_youth_doctor",
            "route_medical_specialist",
            "poh_shift",
            "school_shift",
        ),
        ("supply_factor",),
        inputs=("time",),
    ),
    Factor(
        "escalation",
        "opschalingsaandeel",
        "min(max(opschaling × defensief beslissen, 0), 0,95)",
        ("fl_escalation", "defensive_factor"),
    ),
    Factor(
        "occupancy",
        "blijvende bezetting",
        "hulp zonder en met verblijf die na de maand nog loopt (niet beëindigd)",
        ("amb_duration", "res_duration", "step_up_rate", "step_down_rate"),
        ("supply_factor",),
    ),
    Factor(
        "capacity",
        "gecontracteerde capaciteit",
        "bezetting aan het eind van de opwarmperiode × marge × exp(groei × jaren sinds start)",
        ("capacity_margin", "capacity_growth"),
        inputs=("time",),
    ),
)
FACTORS_BY_NAME: dict[str, Factor] = {f.name: f for f in FACTORS}


def _factor_closure(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` and every factor they build on, depth first, each once."""
    out: dict[str, None] = {}

    def visit(name: str) -> None:
        if name in out:
            return
        out[name] = None
        for inner in FACTORS_BY_NAME[name].factors:
            visit(inner)

    for name in names:
        visit(name)
    return tuple(out)


def parameters_of(item: Flow | Factor) -> tuple[str, ...]:
    """Every parameter a flow or factor depends on, directly or through factors."""
    seen = dict.fromkeys(item.own_parameters)
    for name in _factor_closure(item.factors):
        seen.update(dict.fromkeys(FACTORS_BY_NAME[name].own_parameters))
    return tuple(seen)


STOCKS: tuple[Stock, ...] = (
    Stock("base", "Basis", "state", "Jongeren zonder (wachten op) hulp."),
    Stock("first_line", "Eerste lijn", "state", "Hulp van wijkteam, CJG, POH-jeugd of school."),
    Stock("waiting", "Wachtend", "state", "Verwezen naar specialistische hulp, nog niet gestart."),
    Stock("ambulatory", "Zonder verblijf", "state", "Specialistische jeugdhulp zonder verblijf."),
    Stock("residential", "Met verblijf", "state", "Pleegzorg, gezinshuis, instelling."),
    Stock("after_care", "Nazorg", "state", "Hulp beëindigd in de afgelopen 12 maanden."),
    Stock("child_protection", "Jeugdbescherming", "overlay", "OTS of voogdij (tot 18 jaar)."),
    Stock("juvenile_probation", "Jeugdreclassering", "overlay", "Jeugdreclassering (12-22 jaar)."),
)

FLOWS: tuple[Flow, ...] = (
    Flow("0", "births", "bron", "base", "geboorte", "geboorten / 12 per maand op leeftijd 0", ()),
    Flow(
        "0",
        "ageing",
        "elke leeftijd",
        "leeftijd + 1",
        "veroudering",
        "1/12 van elke leeftijd per maand; op 23 uit het model",
        (),
    ),
    Flow(
        "0",
        "migration",
        "bron",
        "alle voorraden",
        "binnenlandse en buitenlandse migratie",
        "saldo per leeftijd naar rato over de voorraden",
        (),
    ),
    Flow(
        "1+2",
        "need_to_first_line",
        "base",
        "first_line",
        "hulpvraag naar eerste lijn",
        "hulpvraag(a, t) × routering eerste lijn(t)",
        (),
        ("need", "routing"),
    ),
    Flow(
        "1+2",
        "need_to_waiting",
        "base",
        "waiting",
        "directe verwijzing (huisarts, jeugdarts, medisch specialist, geen verwijzer)",
        "hulpvraag(a, t) × routering direct(t) (directe routes × aanbodfactor)",
        (),
        ("need", "routing"),
    ),
    Flow(
        "3",
        "first_line_escalates",
        "first_line",
        "waiting",
        "opschaling",
        "1/duur × opschalingsaandeel",
        ("fl_duration",),
        ("escalation",),
    ),
    Flow(
        "3",
        "first_line_resolves",
        "first_line",
        "after_care",
        "afgerond in eerste lijn",
        "1/duur × (1 - opschalingsaandeel)",
        ("fl_duration",),
        ("escalation",),
    ),
    Flow(
        "4",
        "intake",
        "waiting",
        "ambulatory|residential",
        "start specialistische hulp",
        "wachtend × (1 - exp(-1/minimale doorlooptijd)), begrensd door capaciteit(t) - blijvende "
        "bezetting; verblijf naar aandeel",
        ("min_wait", "residential_share", "residential_trend"),
        ("capacity", "occupancy"),
    ),
    Flow(
        "5",
        "ambulatory_ends",
        "ambulatory",
        "after_care",
        "einde hulp zonder verblijf",
        "1 / (duur × aanbodfactor)",
        ("amb_duration",),
        ("supply_factor",),
    ),
    Flow(
        "5",
        "residential_ends",
        "residential",
        "after_care",
        "einde hulp met verblijf",
        "1 / (duur × aanbodfactor)",
        ("res_duration",),
        ("supply_factor",),
    ),
    Flow(
        "5",
        "step_up",
        "ambulatory",
        "residential",
        "opschaling naar verblijf",
        "vaste kans",
        ("step_up_rate",),
    ),
    Flow(
        "5",
        "step_down",
        "residential",
        "ambulatory",
        "afschaling",
        "vaste kans",
        ("step_down_rate",),
    ),
    Flow(
        "6",
        "reentry",
        "after_care",
        "waiting",
        "herhaald beroep",
        "kans × (1 - terugvalpreventie), alleen onder 18",
        ("reentry_rate", "relapse_prevention"),
    ),
    Flow(
        "6",
        "after_care_ends",
        "after_care",
        "base",
        "terug naar basis",
        "1 / nazorgperiode",
        ("aftercare_months",),
    ),
    Flow(
        "18",
        "turning_18",
        "waiting|ambulatory|residential|first_line",
        "base",
        "einde jeugdhulp op 18",
        "wachten en specialistische hulp: voortgezet naar aandeel tot de maximale leeftijd; "
        "eerste lijn eindigt op 18",
        ("extension_share", "extension_max_age"),
    ),
    Flow(
        "7",
        "child_protection_in",
        "alle toestanden",
        "child_protection",
        "maatregel",
        "kans × risico × exp(trend × jaren), 0-17 jaar",
        ("jb_rate", "jb_trend"),
        ("risk",),
    ),
    Flow(
        "7",
        "child_protection_out",
        "child_protection",
        "uit",
        "einde maatregel",
        "1/duur; op 18 altijd",
        ("jb_duration",),
    ),
    Flow(
        "7",
        "gi_referral",
        "base",
        "waiting",
        "verwijzing gecertificeerde instelling",
        "kans × kinderen onder maatregel / bevolking (naar rato in basis)",
        ("gi_referral_rate",),
    ),
    Flow(
        "7",
        "probation_in",
        "alle toestanden",
        "juvenile_probation",
        "jeugdreclassering",
        "kans × risico × exp(trend × jaren), 12-22 jaar (18-22 relatief)",
        ("jr_rate", "jr_trend", "jr_age_rel_18_22"),
        ("risk",),
    ),
    Flow(
        "7",
        "probation_out",
        "juvenile_probation",
        "uit",
        "einde jeugdreclassering",
        "1/duur",
        ("jr_duration",),
    ),
    Flow(
        "7",
        "court_referral",
        "base",
        "waiting",
        "verwijzing rechter/OvJ",
        "kans × jongeren met jeugdreclassering / bevolking (naar rato in basis)",
        ("court_referral_rate",),
    ),
)
FLOWS_BY_NAME: dict[str, Flow] = {f.name: f for f in FLOWS}

# Parameters that act on outputs rather than flows (counting and money).
OUTPUT_PARAMETERS = (
    "fl_cbs_share",
    "trajectories_per_episode",
    "plan_share",
    "jb_overlap",
    "jr_overlap",
    "jb_persons_per_measure",
    "jr_persons_per_measure",
    "coverage_pre2021",
    "coverage_pre2021_residential",
    "cost_first_line",
    "cost_ambulatory",
    "cost_residential",
    "cost_jb",
    "cost_jr",
    "cost_scale",
    "tariff_index",
)
# Of those, the ones applied only when outputs are counted (not in the monthly kernel).
COUNTING_PARAMETERS = (
    "trajectories_per_episode",
    "plan_share",
    "jb_overlap",
    "jr_overlap",
    "jb_persons_per_measure",
    "jr_persons_per_measure",
    "coverage_pre2021",
    "coverage_pre2021_residential",
)
# The parameters the monthly kernel reads, in the order of its parameter rows: every declared
# parameter except the counting ones. core.simulate's index constants are generated from this.
KERNEL_PARAMS: tuple[str, ...] = tuple(
    p.name for p in PARAMETERS if p.name not in COUNTING_PARAMETERS
)

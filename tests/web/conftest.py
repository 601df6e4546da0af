"""Fixtures for the web tests: two municipalities, one user per role, a small workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m

PASSWORD = "Lang-Genoeg-Wachtwoord-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Why: the production hasher is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_model_service(monkeypatch):
    """Pages must not depend on whether a model service happens to be installed."""
    from jeugdstelsel.web import modelbridge

    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.web._no_such_service")
    modelbridge.clear_cache()
    yield
    modelbridge.clear_cache()


@pytest.fixture
def tiel(db):
    muni = m.Municipality.objects.create(code="GM0281", name="Tiel")
    m.Organisation.objects.create(
        municipality=muni, name="Wijkteam Tiel-Oost", kind=m.Organisation.Kind.LOCAL_TEAM
    )
    m.Organisation.objects.create(
        municipality=muni, name="Basisschool De Brug", kind=m.Organisation.Kind.SCHOOL
    )
    m.Area.objects.create(municipality=muni, name="Tiel-Oost", kind=m.Area.Kind.DISTRICT)
    return muni


@pytest.fixture
def urk(db):
    return m.Municipality.objects.create(code="GM0184", name="Urk")


def make_user(username: str, municipality=None, role=None, organisation=None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if municipality is not None:
        m.Membership.objects.create(
            user=user, municipality=municipality, role=role, organisation=organisation
        )
    return user


@pytest.fixture
def users(tiel, urk):
    """One user per role in Tiel, plus an advisor of Urk and a user without any role."""
    team = m.Organisation.objects.get(name="Wijkteam Tiel-Oost")
    return {
        "beheerder": make_user("beheerder", tiel, m.Role.ADMIN),
        "adviseur": make_user("adviseur", tiel, m.Role.ADVISOR),
        "partner": make_user("partner", tiel, m.Role.PARTNER, team),
        "raadslid": make_user("raadslid", tiel, m.Role.COUNCIL),
        "urk": make_user("urk", urk, m.Role.ADVISOR),
        "niemand": make_user("niemand"),
    }


@pytest.fixture
def workspace(tiel, users):
    """A goal with two measurements, an activity of each partner and one item of every kind."""
    user = users["adviseur"]
    area = tiel.areas.get(kind=m.Area.Kind.MUNICIPALITY)
    team = m.Organisation.objects.get(name="Wijkteam Tiel-Oost")
    school = m.Organisation.objects.get(name="Basisschool De Brug")
    issue = m.Issue(area=area, kind=m.Issue.Kind.TOP_TEN, rank=1, title="Schooluitval")
    history.save_item(issue, user)
    goal = m.Goal(
        area=area,
        issue=issue,
        title="Minder specialistische jeugdhulp",
        indicator="Jongeren met specialistische jeugdhulp",
        unit="% van 0-17",
        direction=m.Goal.Direction.DOWN,
        baseline_value=12.0,
        baseline_date=dt.date(2024, 1, 1),
        target_value=9.6,
        deadline=dt.date(2027, 12, 31),
        model_output_key="jeugdzorg_0_17_pct",
    )
    history.save_item(goal, user)
    own = m.Activity(
        area=area,
        goal=goal,
        title="Praktijkondersteuner jeugd bij de huisarts",
        layer=m.Layer.FIRST_LINE,
        organisation=team,
    )
    history.save_item(own, user)
    other = m.Activity(
        area=area,
        goal=goal,
        title="Sociale vaardigheden in de klas",
        layer=m.Layer.PREVENTION,
        organisation=school,
    )
    history.save_item(other, user)
    intervention = m.Intervention(
        area=area, activity=own, name="Triple P", evidence_level=m.EvidenceLevel.STRONG
    )
    history.save_item(intervention, user)
    for date, value, org in ((dt.date(2024, 7, 1), 11.5, team), (dt.date(2025, 1, 1), 11.1, None)):
        history.save_item(
            m.Measurement(area=area, goal=goal, date=date, value=value, organisation=org), user
        )
    action = m.ImprovementAction(
        area=area, goal=goal, title="Verwijzingen samen bespreken", owner="Wijkteam Tiel-Oost"
    )
    history.save_item(action, user)
    return {
        "area": area,
        "issue": issue,
        "goal": goal,
        "own_activity": own,
        "other_activity": other,
        "intervention": intervention,
        "action": action,
        "team": team,
        "school": school,
    }

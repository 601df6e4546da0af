"""A goal's chart carries only its own indicator; other kinds of measurement get their own axis
(issue 17 item 5: a satisfaction score of 7.4 was drawn on a waiting-time axis in weeks)."""

from __future__ import annotations

import datetime as dt

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from tests.web.conftest import PASSWORD


def test_satisfaction_is_not_drawn_on_the_waiting_time_axis(client, users, tiel, workspace):
    area = workspace["area"]
    goal = m.Goal(area=area, title="Kortere wachttijd", indicator="wachttijd", unit="weken",
                  baseline_value=14, baseline_date=dt.date(2024, 1, 1), target_value=8,
                  deadline=dt.date(2028, 12, 31))
    history.save_item(goal, users["adviseur"])
    for kind, value in ((m.Measurement.Kind.INDICATOR, 12), (m.Measurement.Kind.SATISFACTION,
                                                             7.4)):
        history.save_item(m.Measurement(area=area, goal=goal, kind=kind, value=value,
                                        date=dt.date(2025, 1, 1)), users["adviseur"])
    assert client.login(username="raadslid", password=PASSWORD)
    html = client.get(f"/kompas/{tiel.code}/doelen/{goal.pk}").content.decode()
    main = html.split('id="grafiek-doel"')[1].split("</svg>")[0]
    assert "Tevredenheid" not in main and "weken" in html
    other = html.split('id="grafiek-tevredenheid"')[1].split("</svg>")[0]
    assert "Tevredenheid, zoals gemeten" in other or "tevredenheid" in other
    assert "7,4" in html  # in the table and its own chart

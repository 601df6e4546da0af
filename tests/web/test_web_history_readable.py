"""The history reads as Dutch: field labels, names of related items, Dutch dates and choices
(issue 17 item 5: no English field names, UUIDs or internal ids)."""

from __future__ import annotations

import datetime as dt
import re

from jeugdstelsel.web.kompas import history
from tests.web.conftest import PASSWORD


def test_history_shows_labels_names_and_dutch_values(client, users, tiel, workspace):
    goal = workspace["goal"]
    goal.target_value = 9.0
    goal.deadline = dt.date(2028, 12, 31)
    history.save_item(goal, users["adviseur"])
    assert client.login(username="beheerder", password=PASSWORD)
    html = client.get(f"/kompas/{tiel.code}/geschiedenis").content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    text = re.sub(r"<[^>]+>", " ", body)
    assert "Streefwaarde: 9,6 → 9" in text
    assert "Te bereiken op: 31-12-2027 → 31-12-2028" in text
    assert "Vraagstuk: Schooluitval" in text  # the related issue by its name, not its uid
    assert "Richting: Lager is beter" in text  # the choice's label, not its code
    assert "Gemeten door: Wijkteam Tiel-Oost" in text  # an organisation by name, not its id
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)  # no UUIDs
    for english in ("target_value", "deadline", "organisation", "baseline_value", "uid"):
        assert english not in text

"""Export and import of a whole workspace: round trip, all-or-nothing, Dutch errors."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jeugdstelsel.web.kompas import exchange, history
from jeugdstelsel.web.kompas import models as m


def _without_timestamp(data):
    data = copy.deepcopy(data)
    data.pop("exported_at")
    return data


def _wipe(municipality):
    """Remove a workspace completely (as on a new server)."""
    for model in reversed(m.ITEM_MODELS):
        model.all_objects.filter(area__municipality=municipality).delete()


def test_round_trip_restores_everything_including_deleted_items(users, workspace, tiel):
    history.soft_delete(workspace["action"], users["adviseur"])
    exported = exchange.export_workspace(tiel)
    assert len(exported["doelen"]) == 1 and len(exported["metingen"]) == 2
    assert exported["verbeteracties"][0]["deleted"] is True
    text = exchange.dumps(exported)
    _wipe(tiel)
    assert not m.Goal.all_objects.exists()
    counts = exchange.import_workspace(tiel, json.loads(text), users["beheerder"])
    assert counts["metingen"] == 2
    again = exchange.export_workspace(tiel)
    assert _without_timestamp(again) == _without_timestamp(exported)
    assert m.ImprovementAction.all_objects.get().is_deleted
    assert m.AuditEntry.objects.filter(action="geimporteerd").count() == 8  # every item


def test_import_into_the_same_workspace_changes_nothing(users, workspace, tiel):
    data = exchange.export_workspace(tiel)
    before = m.AuditEntry.objects.count()
    exchange.import_workspace(tiel, data, users["beheerder"])
    assert m.AuditEntry.objects.count() == before
    assert _without_timestamp(exchange.export_workspace(tiel)) == _without_timestamp(data)


def test_one_bad_item_means_nothing_is_imported(users, workspace, tiel):
    data = exchange.export_workspace(tiel)
    _wipe(tiel)
    data["doelen"][0]["target_value"] = 15.0  # wrong way for "lower is better"
    data["metingen"][1]["date"] = "1 januari"
    with pytest.raises(exchange.ImportRefusedError) as caught:
        exchange.import_workspace(tiel, data, users["beheerder"])
    text = " | ".join(caught.value.errors)
    assert "doelen, nr. 1 (Minder specialistische jeugdhulp), streefwaarde" in text
    assert "past niet bij de richting" in text
    assert "metingen, nr. 2" in text
    assert not m.Issue.all_objects.exists()  # the valid first kind was rolled back too


def test_file_of_another_municipality_is_refused(users, workspace, tiel, urk):
    data = exchange.export_workspace(tiel)
    with pytest.raises(exchange.ImportRefusedError, match="hoort bij gemeente GM0281"):
        exchange.import_workspace(urk, data, users["beheerder"])


def test_unknown_reference_is_named(users, workspace, tiel):
    data = exchange.export_workspace(tiel)
    _wipe(tiel)
    data["metingen"][0]["goal"] = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(exchange.ImportRefusedError, match=r"verwijzing .* is onbekend"):
        exchange.import_workspace(tiel, data, users["beheerder"])


def test_export_and_import_pages(client, users, workspace, tiel):
    client.force_login(users["adviseur"])
    response = client.get(reverse("kompas:export", args=["GM0281"]))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="kwaliteitskompas-GM0281'
    )
    body = response.content
    _wipe(tiel)
    upload = SimpleUploadedFile("export.json", body, content_type="application/json")
    url = reverse("kompas:import", args=["GM0281"])
    response = client.post(url, {"file": upload})
    assert response.status_code == 200  # first shown, not saved
    assert "Import controleren" in response.content.decode()
    assert not m.Goal.objects.exists()
    token = response.context["token"]
    assert client.post(url, {"bevestigen": "1", "token": "verzonnen"}).status_code == 302
    assert not m.Goal.objects.exists()
    response = client.post(url, {"bevestigen": "1", "token": token})
    assert response.status_code == 302
    assert m.Goal.objects.count() == 1
    assert client.post(url, {"bevestigen": "1", "token": token}).status_code == 302  # used up
    assert m.AuditEntry.objects.filter(action="geimporteerd").count() == 8
    bad = SimpleUploadedFile("x.json", b"{niet json", content_type="application/json")
    response = client.post(reverse("kompas:import", args=["GM0281"]), {"file": bad})
    assert response.status_code == 200
    assert "geen geldige JSON" in response.content.decode()


def test_partner_cannot_export(client, users, workspace):
    client.force_login(users["partner"])
    assert client.get(reverse("kompas:export", args=["GM0281"])).status_code == 403


def test_an_older_export_never_overwrites_newer_edits_or_deletions(users, workspace, tiel):
    old = exchange.export_workspace(tiel)
    goal, action = workspace["goal"], workspace["action"]
    goal.title = "Nieuwere titel"
    history.save_item(goal, users["adviseur"])
    history.soft_delete(action, users["adviseur"])
    newer = m.Issue(area=workspace["area"], kind="top_tien", rank=2, title="Nieuw na export")
    history.save_item(newer, users["adviseur"])
    result = exchange.import_workspace(tiel, old, users["beheerder"], may_restore=True)
    assert m.Goal.objects.get(pk=goal.pk).title == "Nieuwere titel"
    assert m.ImprovementAction.all_objects.get(pk=action.pk).is_deleted  # not un-deleted
    assert m.Issue.objects.filter(title="Nieuw na export").exists()
    skipped = {c.label for c in result.changes if c.action == "overgeslagen"}
    assert skipped == {"Minder specialistische jeugdhulp", action.title}  # named as in the file


def test_a_newer_export_updates_and_only_an_administrator_restores(users, workspace, tiel):
    action = workspace["action"]
    history.soft_delete(action, users["adviseur"])
    data = exchange.export_workspace(tiel)
    row = next(r for r in data["verbeteracties"] if r["uid"] == str(action.uid))
    row["deleted"] = False  # an edited export that un-deletes
    row["updated_at"] = "2999-01-01T00:00:00+00:00"
    goal_row = data["doelen"][0]
    goal_row["title"], goal_row["updated_at"] = "Uit het bestand", "2999-01-01T00:00:00+00:00"
    preview = exchange.import_workspace(tiel, data, users["adviseur"], dry_run=True)
    assert {(c.action, c.reason == exchange.ADMIN_ONLY) for c in preview.changes} == {
        ("bijgewerkt", False), ("overgeslagen", True)}
    assert m.Goal.objects.get().title != "Uit het bestand"  # a dry run saves nothing
    exchange.import_workspace(tiel, data, users["adviseur"])
    assert m.Goal.objects.get().title == "Uit het bestand"
    assert m.ImprovementAction.all_objects.get(pk=action.pk).is_deleted
    result = exchange.import_workspace(tiel, data, users["beheerder"], may_restore=True)
    assert [c.action for c in result.changes] == ["teruggezet"]
    assert not m.ImprovementAction.all_objects.get(pk=action.pk).is_deleted


def test_an_advisor_cannot_restore_through_the_import_page(client, users, workspace, tiel):
    action = workspace["action"]
    history.soft_delete(action, users["adviseur"])
    data = exchange.export_workspace(tiel)
    row = next(r for r in data["verbeteracties"] if r["uid"] == str(action.uid))
    row["deleted"], row["updated_at"] = False, "2999-01-01T00:00:00+00:00"
    client.force_login(users["adviseur"])
    url = reverse("kompas:import", args=["GM0281"])
    upload = SimpleUploadedFile("x.json", exchange.dumps(data).encode(), "application/json")
    response = client.post(url, {"file": upload})
    assert "alleen een beheerder" in response.content.decode()
    client.post(url, {"bevestigen": "1", "token": response.context["token"]})
    assert m.ImprovementAction.all_objects.get(pk=action.pk).is_deleted


def test_a_version_1_file_only_adds(users, workspace, tiel):
    data = exchange.export_workspace(tiel)
    data["version"] = 1
    for kind in ("vraagstukken", "doelen", "activiteiten", "interventies", "metingen",
                 "verbeteracties"):
        for row in data[kind]:
            row.pop("updated_at")
    data["doelen"][0]["title"] = "Oud"
    exchange.import_workspace(tiel, data, users["beheerder"], may_restore=True)
    assert m.Goal.objects.get().title == "Minder specialistische jeugdhulp"

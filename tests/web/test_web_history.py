"""History of every change, soft delete with confirmation, and restore by an administrator."""

from __future__ import annotations

from django.urls import reverse

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m


def test_create_and_update_are_kept_with_who_and_what(users, workspace):
    goal = workspace["goal"]
    created = m.AuditEntry.objects.get(item_uid=goal.uid, action=m.AuditEntry.Action.CREATE)
    assert created.username == "adviseur"
    assert created.changes["target_value"] == [None, 9.6]
    goal.target_value = 9.0
    entry = history.save_item(goal, users["beheerder"])
    assert entry.action == m.AuditEntry.Action.UPDATE
    assert entry.username == "beheerder"
    assert entry.changes == {"target_value": [9.6, 9.0]}


def test_saving_without_change_writes_no_history(users, workspace):
    before = m.AuditEntry.objects.count()
    assert history.save_item(workspace["goal"], users["adviseur"]) is None
    assert m.AuditEntry.objects.count() == before


def test_edit_through_the_page_lands_in_the_history(client, users, workspace):
    action = workspace["action"]
    client.force_login(users["adviseur"])
    response = client.post(
        reverse("kompas:edit", args=["GM0281", "verbeteracties", action.pk]),
        {
            "area": action.area_id,
            "goal": action.goal_id,
            "title": action.title,
            "owner": "Gemeente Tiel",
            "status": "bezig",
            "due": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    entry = m.AuditEntry.objects.filter(item_uid=action.uid).first()
    assert entry.changes == {
        "owner": ["Wijkteam Tiel-Oost", "Gemeente Tiel"],
        "status": ["gepland", "bezig"],
    }
    page = client.get(reverse("kompas:history", args=["GM0281"])).content.decode()
    assert "Gemeente Tiel" in page and "adviseur" in page


def test_delete_asks_first_then_deletes_softly(client, users, workspace):
    action = workspace["action"]
    client.force_login(users["adviseur"])
    url = reverse("kompas:delete", args=["GM0281", "verbeteracties", action.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Weet u zeker" in page.content.decode()
    assert m.ImprovementAction.objects.filter(pk=action.pk).exists()
    assert client.post(url).status_code == 302
    assert not m.ImprovementAction.objects.filter(pk=action.pk).exists()
    kept = m.ImprovementAction.all_objects.get(pk=action.pk)
    assert kept.deleted_by == users["adviseur"]
    assert m.AuditEntry.objects.filter(item_uid=action.uid, action="verwijderd").exists()
    first = client.get(reverse("kompas:overview", args=["GM0281"])).content.decode()
    assert "is verwijderd. Een beheerder kan het terugzetten." in first  # the message
    again = client.get(reverse("kompas:overview", args=["GM0281"])).content.decode()
    assert "Verwijzingen samen bespreken" not in again


def test_only_an_administrator_restores(client, users, workspace):
    action = workspace["action"]
    history.soft_delete(action, users["adviseur"])
    url = reverse("kompas:restore", args=["GM0281", "verbeteracties", action.pk])
    client.force_login(users["adviseur"])
    assert client.post(url).status_code == 403
    assert m.ImprovementAction.all_objects.get(pk=action.pk).is_deleted
    client.force_login(users["beheerder"])
    trash = client.get(reverse("kompas:trash", args=["GM0281"])).content.decode()
    assert "Verwijzingen samen bespreken" in trash
    assert client.get(url).status_code == 405  # restoring needs a POST
    assert client.post(url).status_code == 302
    assert m.ImprovementAction.objects.filter(pk=action.pk).exists()
    assert m.AuditEntry.objects.filter(item_uid=action.uid, action="hersteld").exists()


def test_deleted_item_cannot_be_edited_until_restored(client, users, workspace):
    goal = workspace["goal"]
    history.soft_delete(goal, users["adviseur"])
    client.force_login(users["adviseur"])
    assert client.get(reverse("kompas:edit", args=["GM0281", "doelen", goal.pk])).status_code == 404

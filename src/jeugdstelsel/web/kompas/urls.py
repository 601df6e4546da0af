from django.urls import path

from jeugdstelsel.web.kompas.views import items, manage, transfer, workspace

app_name = "kompas"
urlpatterns = [
    path("", workspace.index, name="index"),
    path("<str:code>", workspace.overview, name="overview"),
    path("<str:code>/geschiedenis", workspace.history, name="history"),
    path("<str:code>/prullenbak", workspace.trash, name="trash"),
    path("<str:code>/beheer", manage.manage, name="manage"),
    path("<str:code>/beheer/leden/<int:pk>", manage.membership, name="membership"),
    path("<str:code>/exporteren", transfer.export, name="export"),
    path("<str:code>/importeren", transfer.import_view, name="import"),
    path("<str:code>/doelen/<int:pk>", workspace.goal_detail, name="goal"),
    path("<str:code>/<slug:slug>/nieuw", items.create, name="create"),
    path("<str:code>/<slug:slug>/<int:pk>/wijzigen", items.edit, name="edit"),
    path("<str:code>/<slug:slug>/<int:pk>/verwijderen", items.delete, name="delete"),
    path("<str:code>/<slug:slug>/<int:pk>/herstellen", items.restore, name="restore"),
]

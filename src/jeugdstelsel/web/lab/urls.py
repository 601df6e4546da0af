from django.urls import path

from jeugdstelsel.web.lab import goalseek_views, report_views, views

app_name = "lab"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>", views.overview, name="overview"),
    path("<str:code>/nieuw", views.create, name="create"),
    path("<str:code>/doelzoeker", goalseek_views.index, name="goalseek"),
    path("<str:code>/doelzoeker/<uuid:pk>", goalseek_views.detail, name="goalseek_detail"),
    path("<str:code>/doelzoeker/<uuid:pk>/status", goalseek_views.status,
         name="goalseek_status"),
    path("<str:code>/doelzoeker/<uuid:pk>/opslaan", goalseek_views.save, name="goalseek_save"),
    path("<str:code>/scenarios/<int:pk>", views.detail, name="scenario"),
    path("<str:code>/scenarios/<int:pk>/wijzigen", views.edit, name="edit"),
    path("<str:code>/scenarios/<int:pk>/dupliceren", views.duplicate, name="duplicate"),
    path("<str:code>/scenarios/<int:pk>/verwijderen", views.delete, name="delete"),
    path("<str:code>/scenarios/<int:pk>/berekenen", views.run_create, name="run_create"),
    path("<str:code>/berekeningen/<uuid:pk>", views.run_detail, name="run"),
    path("<str:code>/berekeningen/<uuid:pk>/status", views.run_status, name="run_status"),
    path("<str:code>/berekeningen/<uuid:pk>/excel", views.run_excel, name="run_excel"),
    path("<str:code>/berekeningen/<uuid:pk>/raadsrapport", report_views.run_report,
         name="run_report"),
]

from django.urls import path

from jeugdstelsel.web.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.index, name="index")]

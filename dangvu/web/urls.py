from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_periodic

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                   authentication_form=views.LoginForm), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("nhat-ky/", views.audit_log, name="audit_log"),
    path("to-chuc/<str:code>/bao-cao-dinh-ky/", views_periodic.periodic_report, name="periodic_report"),
    path("", include("dangvu.registry.urls")),
    path("", include("dangvu.congress.urls")),
    path("", include("dangvu.plans.urls")),
    path("", include("dangvu.meetings.urls")),
    path("", include("dangvu.evaluation.urls")),
    path("", include("dangvu.admission.urls")),
    path("", include("dangvu.honours.urls")),
    path("", include("dangvu.classification.urls")),
    path("", include("dangvu.letters.urls")),
]

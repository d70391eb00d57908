from django.urls import include, path

from dangvu.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("dangvu.web.urls")),
]

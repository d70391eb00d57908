from django.urls import include, path

from dangvu.api.urls import api
from dangvu.exchange.views import schema as exchange_schema

urlpatterns = [
    path("api/v1/exchange-schema.json", exchange_schema, name="exchange_schema"),
    path("api/v1/", api.urls),
    path("", include("dangvu.accounts.urls")),
    path("", include("dangvu.web.urls")),
    path("", include("dangvu.alerts.urls")),
    path("dang-phi/", include("dangvu.fees.urls")),
    path("ky-luat/", include("dangvu.discipline.urls")),
    path("kiem-tra/", include("dangvu.inspection.urls")),
    path("", include("dangvu.channel.urls")),
    path("trao-doi/", include("dangvu.exchange.urls")),
]

handler403 = "dangvu.web.views.error_403"
handler404 = "dangvu.web.views.error_404"
handler500 = "dangvu.web.views.error_500"

from django.urls import path

from . import views_remit

app_name = "fees"

urlpatterns = [
    # -- remittances up the tree (h-feeshare) --
    path("<str:code>/nop-cap-tren/", views_remit.remittances, name="remittances"),
]

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("danh-gia/", views.home, name="home"),
    path("to-chuc/<str:code>/danh-gia/", views.org_rounds, name="org_rounds"),
    path("to-chuc/<str:code>/danh-gia/mo/", views.round_open, name="round_open"),
    path("danh-gia/<int:pk>/", views.round_detail, name="round_detail"),
    path("danh-gia/<int:pk>/chot/", views.round_finalise, name="round_finalise"),
    path("danh-gia/<int:pk>/cong-bo/", views.round_publish, name="round_publish"),
    path("danh-gia/<int:pk>/don-vi/<str:code>/de-xuat/", views.cell_proposals, name="cell_proposals"),
    path("danh-gia/<int:pk>/ket-qua/", views.round_published, name="round_published"),
    path("danh-gia/<int:pk>/ket-qua.xlsx", views.round_xlsx, name="round_xlsx"),
    path("phieu-danh-gia/<int:pk>/tu-danh-gia/", views.evaluation_self, name="evaluation_self"),
    path("phieu-danh-gia/<int:pk>/de-xuat/", views.evaluation_proposal, name="evaluation_proposal"),
    path("phieu-danh-gia/<int:pk>/quyet-dinh/", views.evaluation_decision, name="evaluation_decision"),
]

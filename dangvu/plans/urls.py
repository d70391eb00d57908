from django.urls import path

from . import scan_views, views

app_name = "plans"

urlpatterns = [
    path("ke-hoach/", views.plan_list, name="plan_list"),
    path("ke-hoach/tai-len/<str:code>/", views.plan_upload, name="plan_upload"),
    path("ke-hoach/doc-ban-quet/<str:job>/", scan_views.plan_scan, name="plan_scan"),
    path("ke-hoach/<int:pk>/", views.plan_dashboard, name="plan_dashboard"),
    path("ke-hoach/<int:pk>/duyet/", views.plan_review, name="plan_review"),
    path("ke-hoach/<int:pk>/sua/", views.plan_edit, name="plan_edit"),
    path("ke-hoach/<int:pk>/huy-ban-nhap/", views.plan_discard, name="plan_discard"),
    path("ke-hoach/<int:pk>/them-chi-tieu/", views.target_add, name="target_add"),
    path("ke-hoach/<int:pk>/them-nhiem-vu/", views.task_add, name="task_add"),
    path("ke-hoach/<int:pk>/tinh-lai/", views.plan_refresh, name="plan_refresh"),
    path("ke-hoach/<int:pk>/nhiem-vu/", views.plan_tasks, name="plan_tasks"),
    path("ke-hoach/<int:pk>/cu-the-hoa/", views.plan_cascade, name="plan_cascade"),
    path("ke-hoach/<int:pk>/bao-cao.<str:fmt>", views.plan_report, name="plan_report"),
    path("ke-hoach/chi-tieu/<int:pk>/", views.target_edit, name="target_edit"),
    path("ke-hoach/chi-tieu/<int:pk>/xem/", views.target_detail, name="target_detail"),
    path("ke-hoach/chi-tieu/<int:pk>/xoa/", views.target_delete, name="target_delete"),
    path("ke-hoach/chi-tieu/<int:pk>/so-lieu/", views.measurement_add, name="measurement_add"),
    path("ke-hoach/nhiem-vu/<int:pk>/", views.task_edit, name="task_edit"),
    path("ke-hoach/nhiem-vu/<int:pk>/xoa/", views.task_delete, name="task_delete"),
    path("ke-hoach/nhiem-vu/<int:pk>/cap-nhat/", views.task_update, name="task_update"),
    path("ke-hoach/minh-chung/<int:pk>/", views.task_evidence, name="task_evidence"),
]

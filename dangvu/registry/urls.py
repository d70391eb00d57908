from django.urls import path

from . import urls_excel, views, views_special, views_stats

app_name = "registry"

urlpatterns = [
    path("to-chuc/", views.org_tree, name="org_tree"),
    path("to-chuc/<str:code>/", views.org_detail, name="org_detail"),
    path("to-chuc/<str:code>/sua/", views.org_edit, name="org_edit"),
    path("to-chuc/<str:code>/thong-ke/", views_stats.org_stats, name="org_stats"),
    path("to-chuc/<str:code>/thong-ke.<str:fmt>", views_stats.org_stats_file, name="org_stats_file"),
    path("to-chuc/<str:code>/them-to-chuc/", views.org_create, name="org_create"),
    path("to-chuc/<str:code>/quy-che/", views.working_rules_add, name="working_rules_add"),
    path("to-chuc/<str:code>/chuc-vu/", views.post_add, name="post_add"),
    path("to-chuc/<str:code>/dia-ban/", views.locality_edit, name="locality_add"),
    path("to-chuc/<str:code>/dia-ban/<int:pk>/", views.locality_edit, name="locality_edit"),
    path("to-chuc/<str:code>/dang-vien/<str:mode>/", views.member_add, name="member_add"),
    path("chuc-vu/<int:pk>/thoi/", views.post_end, name="post_end"),
    path("dang-vien/", views.member_list, name="member_list"),
    path("dang-vien/<int:pk>/", views.member_detail, name="member_detail"),
    path("dang-vien/<int:pk>/sua/", views.member_edit, name="member_edit"),
    path("dang-vien/<int:pk>/su-kien/<str:event>/", views.member_event, name="member_event"),
    path("dang-vien/<int:pk>/ho-so/<str:kind>/", views.member_record, name="member_record"),
    path("chuyen-sinh-hoat/", views.transfer_list, name="transfer_list"),
    path("chuyen-sinh-hoat/<int:pk>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("dang-vien/<int:pk>/tinh-trang/<str:slug>/", views_special.special_add, name="special_add"),
    path("tinh-trang/<int:pk>/ket-thuc/", views_special.special_end, name="special_end"),
    *urls_excel.urlpatterns,
]

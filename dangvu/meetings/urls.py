from django.urls import path

from . import views, views_groups

app_name = "meetings"

urlpatterns = [
    path("sinh-hoat/", views.home, name="home"),
    path("to-chuc/<str:code>/sinh-hoat/", views.org_meetings, name="org_meetings"),
    path("to-chuc/<str:code>/sinh-hoat/ghi/", views.meeting_create, name="meeting_create"),
    path("sinh-hoat/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("sinh-hoat/<int:pk>/sua/", views.meeting_edit, name="meeting_edit"),
    path("sinh-hoat/<int:pk>/xoa/", views.meeting_delete, name="meeting_delete"),
    path("sinh-hoat/<int:pk>/diem-danh/", views.meeting_attendance, name="meeting_attendance"),
    path("sinh-hoat/<int:pk>/cham-diem/", views.meeting_score, name="meeting_score"),
    path("sinh-hoat/<int:pk>/bien-ban/", views.meeting_minutes, name="meeting_minutes"),
    path("sinh-hoat/<int:pk>/bien-ban.docx", views.meeting_minutes_draft, name="meeting_minutes_draft"),
    path("to-chuc/<str:code>/hoc-tap/", views.study_list, name="study_list"),
    path("to-chuc/<str:code>/hoc-tap/ghi/", views.study_create, name="study_create"),
    path("hoc-tap/<int:pk>/", views.study_detail, name="study_detail"),
    path("hoc-tap/<int:pk>/diem-danh/", views.study_attendance, name="study_attendance"),
    path("khung-cham-diem/", views.frameworks, name="frameworks"),
    path("to-dang/<str:code>/sinh-hoat/", views_groups.group_meetings, name="group_meetings"),
    path("to-dang/<str:code>/sinh-hoat/ghi/", views_groups.group_meeting_create, name="group_meeting_create"),
]

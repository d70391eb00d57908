from django.urls import path

from . import views

app_name = "congress"

urlpatterns = [
    path("dai-hoi/", views.congress_list, name="congress_list"),
    path("to-chuc/<str:code>/dai-hoi/them/", views.congress_add, name="congress_add"),
    path("dai-hoi/<int:pk>/", views.congress_detail, name="congress_detail"),
    path("dai-hoi/<int:pk>/sua/", views.congress_edit, name="congress_edit"),
    path("to-chuc/<str:code>/ke-hoach-dai-hoi/them/", views.timeline_add, name="timeline_add"),
    path("ke-hoach-dai-hoi/<int:pk>/", views.timeline_detail, name="timeline_detail"),
    path("ke-hoach-dai-hoi/<int:pk>/giai-doan/", views.phase_add, name="phase_add"),
    path("ke-hoach-dai-hoi/<int:pk>/moc/", views.item_add, name="item_add"),
    path("ke-hoach-dai-hoi/<int:pk>/giao-moc/", views.timeline_apply, name="timeline_apply"),
    path("ke-hoach-dai-hoi/<int:pk>/tien-do/", views.progress, name="progress"),
    path("moc-thoi-gian/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path("moc-thoi-gian/<int:pk>/minh-chung/", views.milestone_evidence, name="milestone_evidence"),
    path("dai-hoi/<int:pk>/phan-bo-dai-bieu/", views.apportion, name="apportion"),
    path("phan-bo-dai-bieu/<int:pk>/", views.apportionment_detail, name="apportionment_detail"),
    path("phan-bo-dai-bieu/<int:pk>/xlsx/", views.apportionment_xlsx, name="apportionment_xlsx"),
    path("dai-hoi/<int:pk>/du-thao/them/", views.draft_add, name="draft_add"),
    path("dai-hoi/<int:pk>/tong-hop-gop-y/", views.comments_docx, name="comments_docx"),
    path("du-thao/<int:pk>/", views.draft_detail, name="draft_detail"),
    path("du-thao/<int:pk>/tep/", views.draft_file, name="draft_file"),
    path("du-thao/<int:pk>/gop-y/", views.comment_add, name="comment_add"),
    path("gop-y/<int:pk>/", views.comment_answer, name="comment_answer"),
    path("dai-hoi/<int:pk>/bau-cu/them/", views.election_add, name="election_add"),
    path("bau-cu/<int:pk>/", views.election_detail, name="election_detail"),
    path("bau-cu/<int:pk>/co-so-tinh/", views.election_base, name="election_base"),
    path("bau-cu/<int:pk>/dieu-chinh/", views.adjustment_add, name="adjustment_add"),
    path("bau-cu/<int:pk>/to-kiem-phieu/", views.team_add, name="team_add"),
    path("bau-cu/<int:pk>/kiem-phieu/", views.tally_run, name="tally_run"),
    path("to-kiem-phieu/<int:pk>/", views.team_entry, name="team_entry"),
    path("kiem-phieu/<int:pk>/", views.tally_detail, name="tally_detail"),
    path("kiem-phieu/<int:pk>/bien-ban/", views.tally_docx, name="tally_docx"),
]

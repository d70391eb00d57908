from django.urls import path

from .views import corrections, drafts, elections, preparation

app_name = "congress"

urlpatterns = [
    path("dai-hoi/", preparation.congress_list, name="congress_list"),
    path("to-chuc/<str:code>/dai-hoi/them/", preparation.congress_add, name="congress_add"),
    path("dai-hoi/<int:pk>/", preparation.congress_detail, name="congress_detail"),
    path("dai-hoi/<int:pk>/sua/", preparation.congress_edit, name="congress_edit"),
    path("to-chuc/<str:code>/ke-hoach-dai-hoi/them/", preparation.timeline_add, name="timeline_add"),
    path("ke-hoach-dai-hoi/<int:pk>/", preparation.timeline_detail, name="timeline_detail"),
    path("ke-hoach-dai-hoi/<int:pk>/giai-doan/", preparation.phase_add, name="phase_add"),
    path("ke-hoach-dai-hoi/<int:pk>/moc/", preparation.item_add, name="item_add"),
    path("ke-hoach-dai-hoi/<int:pk>/giao-moc/", preparation.timeline_apply, name="timeline_apply"),
    path("ke-hoach-dai-hoi/<int:pk>/tien-do/", preparation.progress, name="progress"),
    path("moc-thoi-gian/<int:pk>/", preparation.milestone_edit, name="milestone_edit"),
    path("moc-thoi-gian/<int:pk>/minh-chung/", preparation.milestone_evidence, name="milestone_evidence"),
    path("dai-hoi/<int:pk>/phan-bo-dai-bieu/", preparation.apportion, name="apportion"),
    path("phan-bo-dai-bieu/<int:pk>/", preparation.apportionment_detail, name="apportionment_detail"),
    path("phan-bo-dai-bieu/<int:pk>/xlsx/", preparation.apportionment_xlsx, name="apportionment_xlsx"),
    path("dai-hoi/<int:pk>/du-thao/them/", drafts.draft_add, name="draft_add"),
    path("dai-hoi/<int:pk>/tong-hop-gop-y/", drafts.comments_docx, name="comments_docx"),
    path("du-thao/<int:pk>/", drafts.draft_detail, name="draft_detail"),
    path("du-thao/<int:pk>/tep/", drafts.draft_file, name="draft_file"),
    path("du-thao/<int:pk>/gop-y/", drafts.comment_add, name="comment_add"),
    path("gop-y/<int:pk>/", drafts.comment_answer, name="comment_answer"),
    path("dai-hoi/<int:pk>/bau-cu/them/", elections.election_add, name="election_add"),
    path("bau-cu/<int:pk>/", elections.election_detail, name="election_detail"),
    path("bau-cu/<int:pk>/danh-sach/", corrections.election_lists, name="election_lists"),
    path("bau-cu/<int:pk>/co-so-tinh/", elections.election_base, name="election_base"),
    path("bau-cu/<int:pk>/dieu-chinh/", elections.adjustment_add, name="adjustment_add"),
    path("bau-cu/<int:pk>/to-kiem-phieu/", elections.team_add, name="team_add"),
    path("bau-cu/<int:pk>/kiem-phieu/", elections.tally_run, name="tally_run"),
    path("to-kiem-phieu/<int:pk>/", elections.team_entry, name="team_entry"),
    path("to-kiem-phieu/<int:pk>/sua-so/<str:item>/", corrections.total_correct, name="total_correct"),
    path("to-kiem-phieu/<int:pk>/xoa-so-tong-hop/", corrections.totals_clear, name="totals_clear"),
    path("to-kiem-phieu/<int:pk>/phieu/<int:ballot>/xoa/", corrections.ballot_delete, name="ballot_delete"),
    path("kiem-phieu/<int:pk>/", elections.tally_detail, name="tally_detail"),
    path("kiem-phieu/<int:pk>/bien-ban/", elections.tally_docx, name="tally_docx"),
]

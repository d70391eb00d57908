from django.urls import path

from . import views

app_name = "channel"

urlpatterns = [
    path("cua-toi/", views.home, name="home"),
    path("cua-toi/giay-moi/<int:pk>/tra-loi/", views.reply, name="reply"),
    path("cua-toi/hoc-tap/<int:pk>/", views.study_ack, name="study_ack"),
    path("cua-toi/chi-bo/", views.cell, name="cell"),
    path("cua-toi/thu-dien-tu/", views.email, name="email"),
    path("cua-toi/tu-danh-gia/<int:pk>/", views.self_assess, name="self_assess"),
    path("cua-toi/lich/", views.feeds, name="feeds"),
    path("cua-toi/lich/<int:pk>/thu-hoi/", views.feed_revoke, name="feed_revoke"),
    path("lich/<str:key>.ics", views.feed, name="feed"),
    path("thong-bao/", views.notice_list, name="notice_list"),
    path("thong-bao/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("thong-bao/<int:pk>/gui-lai/", views.mail_retry, name="mail_retry"),
    path("thong-bao/moi/<str:code>/", views.notice_create, name="notice_create"),
    path("thong-bao/giay-moi-hop/<str:code>/", views.invite_from_meeting, name="invite_from_meeting"),
]

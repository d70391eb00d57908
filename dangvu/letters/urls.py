from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("don-thu/to-chuc/<str:code>/", views.letter_list, name="list"),
    path("don-thu/to-chuc/<str:code>/them/", views.letter_add, name="add"),
    path("don-thu/<int:pk>/", views.letter_detail, name="detail"),
    path("don-thu/<int:pk>/ket-qua/", views.letter_close, name="close"),
]

from django.urls import path

from govhub.participation import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/<int:consultation_id>/", views.consultation_detail, name="consultation"),
    path("comments/<int:comment_id>/agree/", views.agree, name="agree"),
    path("board/", views.board, name="board"),
    path("board/new/", views.board_new, name="board_new"),
    path("board/<int:post_id>/", views.post_detail, name="post"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("interviews/", views.interview_list, name="interviews"),
    path("interviews/<int:interview_id>/", views.interview_detail, name="interview"),
    path("interviews/<int:interview_id>/live.json", views.interview_live, name="interview_live"),
]

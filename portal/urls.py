from django.urls import include, path

from portal import get_link_views, numbers_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # The questionnaire journey (before the token pattern: "thanks" and "later" are not tokens).
    path("start/<slug:code>/", views.start, name="start"),
    path("q/<uuid:response_id>/", views.resume, name="resume"),
    path("q/<uuid:response_id>/<int:number>/", views.question, name="question"),
    path("q/<uuid:response_id>/review/", views.review, name="review"),
    path("thanks/", views.thanks, name="thanks"),
    path("later/", views.later, name="later"),
    path("sign-out/", views.sign_out_view, name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("get-my-link/", get_link_views.get_my_link, name="get_my_link"),
    path("intake/", include("portal.intake_urls")),
    path("referrals/", include("portal.referral_urls")),
    path("plan/", include("portal.plan_urls")),
    path("numbers/", numbers_views.my_numbers, name="numbers"),
    path("<str:token>/", views.open_link, name="open"),
    path("<str:token>/new-link/", views.request_new_link, name="new_link"),
]

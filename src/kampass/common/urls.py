from django.contrib.auth import views as auth_views
from django.urls import path

from kampass.common import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("currency/", views.set_view_currency, name="set-view-currency"),
    path("settings/", views.my_settings, name="my-settings"),
    path("search/", views.search, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
]

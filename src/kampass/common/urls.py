from django.contrib.auth import views as auth_views
from django.urls import path

from kampass.common import views, views_comments, views_imports

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("currency/", views.set_view_currency, name="set-view-currency"),
    path("settings/", views.my_settings, name="my-settings"),
    path("search/", views.search, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("comments/<slug:kind>/<int:target_id>/", views_comments.comment_panel, name="comments"),
    path("comments/<slug:kind>/<int:target_id>/mentions/", views_comments.mention_suggestions, name="comment-mentions"),
    path("comments/<int:pk>/edit/", views_comments.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views_comments.comment_delete, name="comment-delete"),
    path("data-imports/", views_imports.data_imports, name="data-imports"),
    path("data-imports/<uuid:pk>/", views_imports.data_import, name="data-import"),
    path("data-imports/<uuid:pk>/columns/", views_imports.data_import_map, name="data-import-map"),
    path("data-imports/<uuid:pk>/rejects.csv", views_imports.data_import_rejects, name="data-import-rejects"),
]

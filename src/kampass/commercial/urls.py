from django.urls import path

from kampass.commercial import views, views_mapping

urlpatterns = [
    path("accounts/<int:pk>/profitability/", views.account_profitability, name="account-profitability"),
    path("accounts/<int:pk>/profitability.xlsx", views.account_profitability_xlsx, name="account-profitability-xlsx"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<uuid:pk>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:pk>/columns/", views_mapping.import_map, name="import-map"),
    path("imports/<uuid:pk>/row/", views.import_row, name="import-row"),
    path("imports/<uuid:pk>/rejects.csv", views.import_rejects, name="import-rejects"),
    path("imports/<uuid:pk>/link/", views.import_link_customer, name="import-link-customer"),
    path("imports/<uuid:pk>/create-accounts/", views.import_create_accounts, name="import-create-accounts"),
]

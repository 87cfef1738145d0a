from django.urls import path  # noqa: F401  (the parts of the context add their pages here)

urlpatterns: list = []

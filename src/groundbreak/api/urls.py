# The REST API under /api/v1/ (django-ninja); filled in by the API work.
urlpatterns = []

app_name = "portfolio"
urlpatterns = []

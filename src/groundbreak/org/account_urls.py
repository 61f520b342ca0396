from django.contrib.auth import views as auth_views
from django.urls import path

from groundbreak.org.security import views as security_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", security_views.account_security, name="account-security"),
    path("password/", security_views.PasswordChangeView.as_view(), name="password-change"),
    path("sessions/end-others/", security_views.sessions_end_others, name="sessions-end-others"),
    path("totp/setup/", security_views.totp_setup, name="totp-setup"),
    path("totp/verify/", security_views.totp_verify, name="totp-verify"),
    path("totp/remove/", security_views.totp_remove, name="totp-remove"),
]

"""Sign-in, password, sessions, second factor, API tokens: each user's own account only."""

from tests.security.access import LOGIN, OK, Page, who
from tests.security.access import builders as b

PAGES = {
    "login": Page(get=who(302, anonymous=200)),  # signed in already: on to the home page
    "logout": Page(get=who(405, anonymous=405), post=who(LOGIN)),
    "account-security": Page(get=who(200)),
    "password-change": Page(get=who(200)),
    "sessions-end-others": Page(get=who(405), post=who(OK)),
    "totp-setup": Page(get=who(200)),
    "totp-verify": Page(get=who(302)),  # nothing to verify: on
    "totp-remove": Page(get=who(405), post=who(OK)),
    "api-tokens:list": Page(get=who(200)),
    # A token of the Songjiang coordinator: nobody else may revoke it, the administrator included.
    "api-tokens:revoke": Page(get=who(404), post=who(404), kwargs=lambda w: {"pk": b.token(w).pk}),
}

"""Home, my work, language."""

from tests.security.access import OK, Page, who

PAGES = {
    "home": Page(get=who(302)),  # on to the user's own start page (my work)
    "my-work": Page(get=who(200)),
    "org:set-language": Page(
        get=who(405, anonymous=405), post=who(OK, anonymous=OK), data=lambda w: {"language": "en"}
    ),
}

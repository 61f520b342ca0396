"""Django's own URLs: the admin site by rule, language switching and the JavaScript catalogue by
expectation. Nothing here is skipped: every admin pattern is requested by every persona."""

import dataclasses
import re

from tests.security.access import LOGIN, OK, Page, who

ADMIN_LOGIN = "admin:login"


@dataclasses.dataclass(frozen=True)
class Rule:
    description: str
    namespace: str

    def matches(self, pattern) -> bool:
        return pattern.namespace == self.namespace or pattern.namespace.startswith(self.namespace + ":")


RULES = [
    Rule(
        "admin site: the administrator gets every page without an object in it; everyone else is sent to the "
        "admin's login page (tests/security/test_access_matrix.py::test_admin_site)",
        "admin",
    )
]

# Parameters of admin URLs, with a value each (app_label must be an installed app with models in the admin).
_SAMPLE = {"object_id": "1", "app_label": "org", "content_type_id": "1", "url": "no-such-page/"}


def _sample(name: str) -> str:
    return _SAMPLE.get(name, "1")


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")

# Admin pages that do not send a non-administrator to the login page.
_OPEN = {
    "admin:login": 200,  # the form itself (for a signed-in non-administrator: "you are not authorised")
    "admin:logout": 302,  # for whoever is not an administrator: to the admin's index (and from there to login)
}


def _url(pattern) -> str:
    """The pattern's route with sample values in place of its parameters."""
    route = pattern.route
    for match in _PARAM.finditer(route):
        name = match.group(1) or match.group(2)
        # Replace the whole converter or regex group.
        if match.group(1):
            route = route.replace(match.group(0), _sample(name), 1)
    if "(?P<" in route:
        # A regex route: replace each group (with its alternatives) by the sample, drop anchors.
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample(m.group(1)), route)
    return "/" + route.replace("^", "").replace("$", "")


def admin_cases(patterns, persona):
    """(url, expected) for every admin pattern as `persona`."""
    for pattern in patterns:
        if not RULES[0].matches(pattern):
            continue
        has_params = bool(_PARAM.search(pattern.route))
        if persona == "admin":
            if pattern.key == "admin:login":
                yield _url(pattern), 302  # already signed in: on to the index
            elif pattern.key == "admin:logout":
                yield _url(pattern), 405  # POST only
            elif pattern.key in _OPEN:
                yield _url(pattern), _OPEN[pattern.key]
            elif pattern.key == "admin:autocomplete":
                yield _url(pattern), 403  # without its parameters
            elif pattern.route.endswith("/add/"):
                yield _url(pattern), (200, 403)  # 403: a read-only record (the change log, sign-in events …)
            elif not has_params or pattern.key == "admin:app_list":
                yield _url(pattern), 200
            # Pages of one object (change, delete, history, view on site) need a real object of each
            # model: the administrator may see them all; they are not an authorisation question.
        elif pattern.key in _OPEN:
            yield _url(pattern), _OPEN[pattern.key]
        else:
            yield _url(pattern), LOGIN


PAGES = {
    # Switching language is for everyone, signed in or not; it changes only the caller's session.
    "set_language": Page(get=who(OK, anonymous=OK), post=who(OK, anonymous=OK), data=lambda w: {"language": "zh-hans"}),
    "javascript-catalog": Page(get=who(200, anonymous=200)),
}

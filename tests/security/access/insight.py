"""The dashboard, the battle map, the leaders' comparison and a leader's page."""

from tests.security.access import Page, who

PAGES = {
    "insight:dashboard": Page(get=who(200)),
    "insight:map": Page(get=who(200)),
    "insight:leaders": Page(get=who(200)),
    # A leader's page: anyone who sees a project he leads; Minhang does not (Songjiang's leader).
    "insight:leader-detail": Page(get=who(200, mh_coordinator=404), kwargs=lambda w: {"pk": w.leader.pk}),
}

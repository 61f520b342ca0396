"""The dashboard, the battle map and the leaders' comparison."""

from tests.security.access import Page, who

PAGES = {
    "insight:dashboard": Page(get=who(200)),
    "insight:map": Page(get=who(200)),
    "insight:leaders": Page(get=who(200)),
}

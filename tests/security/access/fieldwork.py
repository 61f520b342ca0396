"""Safety inspections, snap-and-report, the triage queue: the rows are kept by field work's own tests."""

from tests.fieldwork.access import PAGES  # noqa: F401 (collected by load_pages)

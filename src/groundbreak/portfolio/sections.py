"""Sections that higher apps add to the project page.

Portfolio must not import the apps built on it, yet the project page shows their parts (time
nodes now; issues and reports later). Each app registers a template and a function that adds
its context, at start-up; the page renders them in order.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectSection:
    code: str
    template: str
    context: Callable  # (request, project, page_context) -> dict
    order: int = 100


_sections: dict[str, ProjectSection] = {}


def register_project_section(code: str, *, template: str, context: Callable, order: int = 100) -> None:
    """Add (or replace, by code) a section of the project page."""
    _sections[code] = ProjectSection(code=code, template=template, context=context, order=order)


def project_sections() -> list[ProjectSection]:
    return sorted(_sections.values(), key=lambda s: s.order)

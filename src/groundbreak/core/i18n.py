"""Picking the right one of a record's Chinese and English texts for the active language."""

from django.utils.translation import get_language


def localized(zh: str, en: str) -> str:
    """The English text when the page is in English and one exists, else the Chinese."""
    if en and (get_language() or "").startswith("en"):
        return en
    return zh

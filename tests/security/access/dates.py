import datetime

from django.utils import timezone


def soon(days: int = 20) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def iso(day: datetime.date | None = None) -> str:
    return (day or timezone.localdate()).isoformat()

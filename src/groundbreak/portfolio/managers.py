from django.db import models
from django.db.models import Q

# Where a project's scope is read from: its district and zone, its two units, its lead leader.
SCOPE_PATHS = {"area": ("area", "zone"), "units": ("owner_unit", "responsible_unit"), "leader": "lead_leader"}


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """The projects `user` may see: in their area subtree (by district or by zone), their unit's,
        the ones they lead."""
        from groundbreak.org.scoping import scope_q

        return self.filter(scope_q(user, **SCOPE_PATHS))

    def for_user_in_parts(self, user) -> list | None:
        """`for_user` as the querysets whose union it is, one per way of seeing a project (None:
        every project), for semi-joins that each can use an index (org.scoping.scope_parts)."""
        from groundbreak.org.scoping import scope_parts

        parts = scope_parts(user, **SCOPE_PATHS)
        return None if parts is None else [self.filter(part) for part in parts]

    def with_light(self, today=None, settings=None, *, live=False):
        """Annotate `light` (green/yellow/red): the stored light where it was computed for `today`,
        the rules evaluated in the database otherwise (or everywhere with `live`)."""
        from django.db.models import Case, CharField, F, When
        from django.utils import timezone

        from groundbreak.portfolio.lights import light_expression

        today = today or timezone.localdate()
        rules = light_expression(today, settings)
        if live:
            return self.annotate(light=rules)
        return self.annotate(
            light=Case(When(light_on=today, then=F("stored_light")), default=rules, output_field=CharField())
        )

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(name_en__icontains=text)
            | Q(code__icontains=text)
            | Q(investment_code__icontains=text)
        )

"""Login throttling with django-axes: the client's address, and separate allowances per account
and per address.

Failures are counted per account (AXES_FAILURE_LIMIT) and per address
(GROUNDBREAK_LOGIN_ADDRESS_FAILURE_LIMIT). Axes itself knows one limit for every lockout
parameter; a government office reaches us through one NAT address, so its many users would lock
each other out at the account limit.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind GROUNDBREAK_PROXY_COUNT reverse proxies the
    X-Forwarded-For entry that the outermost of them appended (the ones to its left are the
    client's to forge)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.GROUNDBREAK_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a larger allowance for an address than for an account."""

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = max(settings.GROUNDBREAK_LOGIN_ADDRESS_FAILURE_LIMIT, 1)
        parameters = get_lockout_parameters(request, credentials)
        # Axes returns one queryset per lockout parameter, in the order of the setting.
        weighted = []
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                # Scaled so that reaching the address limit compares equal to the account limit.
                failures = failures * limit // address_limit
            weighted.append(failures)
        return max(weighted, default=0)

"""The user's reporting work: reports to fill in or fix, and reports waiting for their review."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from groundbreak.core.pagination import paginate
from groundbreak.org.permissions import has_perm
from groundbreak.reporting.queries import fill_queue, review_queue


@login_required
def queue(request):
    user = request.user
    return render(
        request,
        "reporting/queue.html",
        {
            "to_fill": paginate(request, fill_queue(user), param="fill"),
            "to_review": paginate(request, review_queue(user), param="review"),
            "fills": has_perm(user, "report.fill"),
            "reviews": has_perm(user, "report.review") or has_perm(user, "report.accept"),
            "today": timezone.localdate(),
        },
    )

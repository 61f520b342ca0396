"""One paginator for every list page, so page size and out-of-range pages behave the same."""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None, *, param: str = "page"):
    """The requested page of `queryset` (a bad or too-large page number gives the last page).

    `param` names the query parameter, so two paginated lists can share a page.
    """
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get(param))

"""Sorting of list pages by a whitelisted column named in the query string (`?sort=-name`)."""


def sort_by(request, queryset, allowed: dict[str, tuple[str, ...]], default: str):
    """Order `queryset` by the `sort` parameter if it names an allowed key, else by `default`.

    `allowed` maps a public key to the ordering fields; "-key" reverses it. Returns the queryset
    and the key in effect, so the page can mark the sorted column.
    """
    key = request.GET.get("sort") or default
    descending = key.startswith("-")
    fields = allowed.get(key.lstrip("-"))
    if fields is None:
        key, descending = default, default.startswith("-")
        fields = allowed[default.lstrip("-")]
    ordering = [("-" + f.lstrip("-") if not f.startswith("-") else f.lstrip("-")) if descending else f for f in fields]
    return queryset.order_by(*ordering), key

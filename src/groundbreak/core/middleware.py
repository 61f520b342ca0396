"""Language choice: the user's saved choice first, then the browser's, then the site default."""

from django.utils import translation


class UserLanguageMiddleware:
    """Activates a logged-in user's saved language, overriding what LocaleMiddleware chose
    from the cookie or the browser's Accept-Language header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

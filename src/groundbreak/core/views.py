from django.shortcuts import redirect


def home(request):
    return redirect("my-work" if request.user.is_authenticated else "login")

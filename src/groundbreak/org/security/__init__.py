"""Authentication hardening: login throttling, the TOTP second factor, session lifetime and the
record of every sign-in, sign-out and refusal (OWASP ASVS level 2, chapters 2 and 3).

A Django app of its own inside `org`, so that it has its own models, signal receivers and
translations without touching the rest of `org`.
"""

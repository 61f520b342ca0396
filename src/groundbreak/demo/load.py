"""Demo data loader (placeholder until the seed data lands)."""

DEMO_PASSWORD = "groundbreak-demo"


def demo_logins():
    return []


def load_demo() -> bool:
    return False

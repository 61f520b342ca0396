from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "groundbreak.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.portfolio import models
        from groundbreak.portfolio.lights import register_portfolio_light_inputs, register_portfolio_rules

        track(
            models.Project,
            exclude=(
                "version",
                "stored_light",
                "light_on",
                "stored_year_plan",
                "stored_year_ytd",
                "stored_year_share",
            ),
        )
        track(models.KeyFigure, parent="project")
        track(models.KeyList)
        track(models.KeyListMembership, parent="project")
        track(models.LightOverride, parent="project")
        track(models.LightSettings)
        register_portfolio_rules()
        register_portfolio_light_inputs()

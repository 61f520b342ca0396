from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "groundbreak.insight"
    label = "insight"
    verbose_name = _("Insight")

    def ready(self):
        from groundbreak.insight.kept_figures import daily_warm_dashboards
        from groundbreak.notify.scheduler import register_daily_check

        # After the lights of the day (stored by the scheduler's first beat), before the morning.
        register_daily_check("insight.warm_dashboards", daily_warm_dashboards)

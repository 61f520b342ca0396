from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "groundbreak.fieldwork"
    label = "fieldwork"
    verbose_name = _("Field work")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.fieldwork import models

        track(models.Checklist)
        track(models.ChecklistItem, parent="checklist")
        track(models.Inspection, parent="project")
        track(models.InspectionAnswer, parent="inspection.project")
        track(models.SnapReport, parent="issue")

from django.contrib import admin

from groundbreak.fieldwork.models import Checklist, ChecklistItem


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ["order", "code", "name", "name_en", "guidance", "is_active"]
    extra = 1


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ChecklistItemInline]

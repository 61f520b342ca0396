"""Production serves hashed static files: collecting them must succeed for every vendored asset."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage_of_production(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        # A vendored file that names a file we do not ship (a source map, say) fails here.
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "insight/vendor/leaflet/leaflet.js" in manifest
    assert "insight/vendor/echarts/echarts.min.js" in manifest

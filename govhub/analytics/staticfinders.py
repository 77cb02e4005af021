"""A staticfiles finder for the browser libraries npm installs (package.json at the repository
root): only the files listed here are exposed, so that collectstatic copies a few files and not
the packages' sources and maps. Absent node_modules, it finds nothing: the dashboards keep their
SVG charts, the map of open problems its list, the API its schema without the viewer."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

FILES = {
    "echarts/echarts.min.js": ("node_modules/echarts/dist", "echarts.min.js"),
    "leaflet/leaflet.js": ("node_modules/leaflet/dist", "leaflet.js"),
    "leaflet/leaflet.css": ("node_modules/leaflet/dist", "leaflet.css"),
    "leaflet/images/marker-icon.png": ("node_modules/leaflet/dist", "images/marker-icon.png"),
    "leaflet/images/marker-icon-2x.png": ("node_modules/leaflet/dist", "images/marker-icon-2x.png"),
    "leaflet/images/marker-shadow.png": ("node_modules/leaflet/dist", "images/marker-shadow.png"),
    "swagger-ui/swagger-ui-bundle.js": ("node_modules/swagger-ui-dist", "swagger-ui-bundle.js"),
    "swagger-ui/swagger-ui.css": ("node_modules/swagger-ui-dist", "swagger-ui.css"),
}


class NodeModulesFinder(BaseFinder):
    def _storage(self, folder: str, prefix: str) -> FileSystemStorage:
        storage = FileSystemStorage(location=str(Path(settings.BASE_DIR) / folder))
        storage.prefix = prefix
        return storage

    def find(self, path, find_all=False, **kwargs):
        found = []
        if path in FILES:
            folder, name = FILES[path]
            full = Path(settings.BASE_DIR) / folder / name
            if full.is_file():
                found.append(str(full))
        return found if find_all or kwargs.get("all") else (found[0] if found else [])

    def list(self, ignore_patterns):
        for path, (folder, name) in FILES.items():
            storage = self._storage(folder, path[: -len(name) - 1])
            if storage.exists(name):
                yield name, storage

    def check(self, **kwargs):
        return []

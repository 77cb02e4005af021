"""A staticfiles finder for Apache ECharts installed by npm (package.json at the repository
root): only ``echarts/echarts.min.js`` is exposed, so that collectstatic copies one file and not
the package's 50 MB of sources and maps. Absent node_modules, it finds nothing and the
dashboards keep their SVG charts."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

FILES = {"echarts/echarts.min.js": ("node_modules/echarts/dist", "echarts.min.js")}


class NodeModulesFinder(BaseFinder):
    def _storage(self, folder: str) -> FileSystemStorage:
        storage = FileSystemStorage(location=str(Path(settings.BASE_DIR) / folder))
        storage.prefix = "echarts"
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
        for folder, name in FILES.values():
            storage = self._storage(folder)
            if storage.exists(name):
                yield name, storage

    def check(self, **kwargs):
        return []

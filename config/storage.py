"""Static files storage for production: whitenoise's hashed, compressed files."""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names for every file, except references to files no app ships.

    viewflow's bundled Roboto stylesheet points at font weights (Roboto-Thin.woff2, …) that its
    package does not include; the stock storage refuses the whole `collectstatic` for that. Such a
    reference is left as written (the browser falls back to another weight) and logged.
    """

    def hashed_name(self, name, content=None, filename=None):  # type: ignore[no-untyped-def]
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None or self.exists(self.clean_name(filename or name)):
                raise
            log.warning("static file %s is referenced but missing; left unhashed", name)
            return name

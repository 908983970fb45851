"""The application as WSGI servers load it: `gunicorn coworking.wsgi:app`.

Once the application is built, everything loaded so far (modules, templates, the URL map,
SQLAlchemy's mappers) lives as long as the process. `gc.freeze()` moves those objects out of
the garbage collector's sight, so its full collections walk only what requests create: a full
collection over the whole process took about 130 ms, once every few hundred member-list
requests (see benchmarks/REPORT.md).
"""

from __future__ import annotations

import gc

from coworking import create_app

app = create_app()
gc.freeze()

"""The application as gunicorn serves it for the benchmark, plus a bare "hello" route.

The "hello" route is the yardstick: the same server, workers and middleware answering with
no database work. It exists only in this benchmark module, never in the application.
"""

from __future__ import annotations

from coworking.security import public
from coworking.wsgi import app


@public
def bench_hello():
    return "hello"


app.add_url_rule("/bench-hello", "bench_hello", bench_hello)

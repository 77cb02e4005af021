"""govhub's WSGI application for bench/load.py and bench/faults.py: unchanged, except that the
per-address rate limits are lifted, because every simulated citizen reaches nginx from 127.0.0.1
(nginx sets X-Forwarded-For to the peer, as in production). The limits are still counted (a
cache add/incr per form post), so their cost stays in the figures.

    gunicorn -c deploy/gunicorn.conf.py bench.load_wsgi:application
"""

from govhub.core import ratelimit
from govhub.wsgi import application

for _scope, (_limit, _window) in list(ratelimit.LIMITS.items()):
    ratelimit.LIMITS[_scope] = (10**9, _window)

__all__ = ["application"]

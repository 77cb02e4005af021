"""gunicorn's settings for govhub (`gunicorn -c deploy/gunicorn.conf.py govhub.wsgi:application`,
used by `make demo` too); bind and workers come from the command line or GUNICORN_CMD_ARGS.

gunicorn answers a request line over 8,190 bytes itself, with an English "URI Too Long" page; a
5,000-character Chinese search is 45 KB once in the URL. 0 lets such a request reach Django (which
answers in Chinese; gunicorn still stops at 1 MB). Behind nginx, nginx's own limit comes first
(deploy/nginx.conf: large_client_header_buffers, and a Chinese 414 page beyond it).

The access log keeps the path only: a query string (/qa/?q=…, /search/?q=…) or a Referer may
hold the phone or ID number someone typed into a GET form. Whatever remains (a number in a path)
goes through the project's personal-data filter (govhub.core.pii.RedactingFilter)."""

limit_request_line = 0

# gunicorn's default with %(r)s (the request line, query included) → method, path, protocol; no Referer
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s "-" "%(a)s"'


def on_starting(server):
    """Mask phone, ID and card numbers in every line gunicorn logs (access and error)."""
    import logging

    try:
        from govhub.core.pii import RedactingFilter
    except ImportError:  # a stand-in application without the project on the path
        return
    for name in ("gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(RedactingFilter())

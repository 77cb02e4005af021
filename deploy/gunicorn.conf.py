"""gunicorn's settings for govhub (`gunicorn -c deploy/gunicorn.conf.py govhub.wsgi:application`,
used by `make demo` too); bind and workers come from the command line or GUNICORN_CMD_ARGS.

gunicorn answers a request line over 8,190 bytes itself, with an English "URI Too Long" page; a
5,000-character Chinese search is 45 KB once in the URL. 0 lets such a request reach Django (which
answers in Chinese; gunicorn still stops at 1 MB). Behind nginx, nginx's own limit comes first
(deploy/nginx.conf: large_client_header_buffers, and a Chinese 414 page beyond it)."""

limit_request_line = 0

"""Gunicorn configuration for production: `gunicorn -c gunicorn.conf.py config.wsgi`.

Meant to run behind a buffering reverse proxy (docs/operations.md, "The proxy in
front"): the proxy terminates TLS, buffers request bodies and refuses oversized
requests first, so gunicorn's own (HTML) error pages are never seen by clients.
Values can be overridden on the command line; the environment variables below
are read here for the common ones.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # loopback or a private interface
# Sync workers: one request at a time each, about 2 x cores.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"

# Limits on the request head. They sit at or above the proxy's own limits
# (nginx: large_client_header_buffers 4 8k), so the proxy refuses first.
limit_request_line = 8190  # request line, query string included (gunicorn's maximum)
limit_request_fields = 100  # number of header fields
limit_request_field_size = 8190  # one header field

# A worker whose request runs longer is killed and replaced. A client that
# announces more body than it sends holds a sync worker until then: 30 s, not
# gunicorn's default 60. Only a buffering proxy (which forwards a request once
# its body is complete) fully protects the workers from slow clients.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # for in-flight requests on restart
keepalive = 2  # only used behind a proxy that keeps connections open

# Recycle workers now and then (bounded memory growth); the jitter keeps them
# from restarting all at once. At 2,000 requests a busy worker restarted every
# few seconds (docs/performance.md); 20,000 keeps the bound and makes restarts rare.
# Each worker's limit is drawn between 20,000 and 30,000: with a jitter of
# 2,000, workers that started together under an even load reached theirs
# within a second or two of each other, and were all restarting at once
# (a 150-210 ms stall under load; docs/performance.md, "Seventh round").
max_requests = 20000
max_requests_jitter = 10000

# The application is imported once, by the master, before it forks the workers:
# a new or recycled worker is a fork, serving at once, where it used to import
# Django and the application first (about a second of one core, during which
# requests queued on it waited: the last one-second tails of docs/performance.md).
# Workers share the imported code's memory until they write to it. New code
# needs a restart of the master, not HUP (docs/operations.md, "Running in production").
preload_app = True


def pre_fork(server, worker):
    """No database connection crosses a fork: importing opens none, and any the
    master may have opened is closed before each worker is forked (each worker
    opens its own on its first request)."""
    from django.db import connections

    connections.close_all()


# Access log on stdout, error log on stderr. The format never contains the query
# string (`%(r)s` and `%(q)s` would write `?q=jane.doe@...` to disk): `%(U)s` is
# the path alone. Paths of real routes hold ids only; a client can still make
# up a path (see docs/operations.md, "Logging").
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# `X-Forwarded-*` headers are trusted only from these addresses (gunicorn's
# default: loopback). When the proxy runs on another host, set
# FORWARDED_ALLOW_IPS to its address; never `*` unless only the proxy can reach
# gunicorn. (Django reads `X-Forwarded-Proto` itself: SECURE_PROXY_SSL_HEADER.)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

proc_name = "pii"

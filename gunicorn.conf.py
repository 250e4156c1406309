"""gunicorn settings for serving mapper (`gunicorn -c gunicorn.conf.py 'mapper:create_app()'`)."""

import gc
import os

bind = f"127.0.0.1:{os.environ.get('MAPPER_PORT', '5000')}"
worker_class = "gthread"
workers = int(os.environ.get("MAPPER_WORKERS", "2"))
threads = int(os.environ.get("MAPPER_THREADS", "4"))
keepalive = 30
# Access log without client addresses or query strings: logs must not identify reporters.
accesslog = os.environ.get("MAPPER_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Nor the tiles' paths, which name the areas looked at.
logger_class = "mapper.access_log.AccessLog"


def post_worker_init(worker):
    from mapper.rollups import start_folding

    start_folding(worker.wsgi)
    # The app's long-lived objects (models, metadata, catalogs) need no further collection;
    # frozen, they no longer make every full collection slow. Young collections keep
    # Python's default threshold: each map request leaves a few hundred cyclic SQL
    # expression objects, and a threshold of 50,000 let them pile up into 40-100 ms pauses.
    gc.collect()
    gc.freeze()

"""mapper: crowdsourced incident mapping for organisations that fight human trafficking."""

from __future__ import annotations

import os

from flask import Flask

from mapper.config import ROOT, Config
from mapper.jsontext import JSONProvider


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, then each area's blueprint."""
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    app.json = JSONProvider(app)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    if app.config["MAPPER_ENV"] == "production" and not os.environ.get("MAPPER_SECRET_KEY"):
        raise RuntimeError("MAPPER_SECRET_KEY must be set in production")
    proxies = app.config["MAPPER_TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        from mapper.dbcluster import embedded_cluster

        app.config["SQLALCHEMY_DATABASE_URI"] = embedded_cluster(app.config).url

    from mapper import auth, cli, compression, errors, extensions, i18n, partners, security, tiles
    from mapper.admin import bp as admin_bp
    from mapper.api import bp as api_bp
    from mapper.channels.openrosa import bp as openrosa_bp
    from mapper.channels.sms import bp as sms_bp
    from mapper.channels.volunteer import bp as volunteer_bp
    from mapper.channels.web import bp as report_form_bp
    from mapper.embed import bp as embed_bp
    from mapper.exports import bp as exports_bp
    from mapper.ogc import bp as ogc_bp
    from mapper.routing import RowId
    from mapper.web import bp as web_bp

    app.url_map.converters["id"] = RowId
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(ROOT / "migrations"), command="migrations"
    )
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    errors.register_error_handlers(app)
    cli.init_app(app)
    partners.init_app(app, [api_bp, ogc_bp, exports_bp])

    app.register_blueprint(web_bp)
    app.register_blueprint(report_form_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(sms_bp, url_prefix="/sms")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(ogc_bp, url_prefix="/ogc")
    app.register_blueprint(embed_bp, url_prefix="/embed")
    app.register_blueprint(volunteer_bp, url_prefix="/volunteer")
    app.register_blueprint(openrosa_bp, url_prefix="/openrosa")
    app.register_blueprint(tiles.bp, url_prefix="/tiles")
    app.jinja_env.globals["tile_url"] = tiles.page_tile_url
    return app

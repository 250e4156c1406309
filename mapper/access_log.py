"""gunicorn's access log, with the map tiles asked for left out of the paths it writes: a
tile's path names the area somebody looked at."""

from __future__ import annotations

from gunicorn.glogging import Logger

TILES = "/tiles/"


class AccessLog(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if (atoms.get("U") or "").startswith(TILES):
            atoms["U"] = TILES + "…"
            atoms["r"] = f"{atoms['m']} {TILES}… {atoms['H']}"
        return atoms

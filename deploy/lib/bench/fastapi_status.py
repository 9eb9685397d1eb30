"""deploy/bench's FastAPI reference: GET status as a plain Python service would write it, doing
the service's work for the same answer: verify the HS256 bearer token (PyJWT), read the plugin's
lease, row, modules and files in one snapshot of the same SQLite database (stdlib sqlite3, one
read-only connection per thread), check each file's size on disk, answer the same JSON.

  BENCH_FASTAPI_DATA_DIR=DATA uvicorn fastapi_status:app --uds SOCKET --workers N

A synchronous handler: FastAPI runs it in its thread pool, as it would a blocking database call.
"""
import json
import os
import re
import sqlite3
import stat
import threading
import urllib.parse
from functools import lru_cache

import jwt
from fastapi import FastAPI, Header, HTTPException

DATA_DIR = os.environ["BENCH_FASTAPI_DATA_DIR"]
with open(os.path.join(DATA_DIR, "jwt-secret"), "rb") as secret_file:
    SECRET = secret_file.read()
# As the service's SecretPolicy: one trailing newline is not part of the secret.
if SECRET.endswith(b"\n"):
    SECRET = SECRET[:-1].removesuffix(b"\r")
DATABASE = "file:" + urllib.parse.quote(os.path.join(DATA_DIR, "lifecycle.sqlite")) + "?mode=ro"
USER_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
SLUG = re.compile(r"[a-z0-9_]{1,64}")

app = FastAPI()
local = threading.local()


def connection() -> sqlite3.Connection:
    db = getattr(local, "db", None)
    if db is None:
        # Autocommit mode, so BEGIN / COMMIT below delimit the snapshot.
        db = local.db = sqlite3.connect(DATABASE, uri=True, isolation_level=None)
    return db


def caller(authorization: str) -> str:
    """The user id of a valid token (the service's rules: HS256, exp and sub required)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "missing bearer token")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError as error:
        raise HTTPException(401, f"invalid token: {error}")
    user = str(claims["sub"]).replace("-", "")  # Identity.normalizedUserID
    if not USER_ID.fullmatch(user):
        raise HTTPException(401, "sub is not a valid user id")
    return user


@lru_cache(maxsize=512)
def module_names(manifest_json: str) -> tuple:
    """Decoded once per distinct manifest, as the service's ManifestModuleNames."""
    try:
        return tuple(module["name"] for module in json.loads(manifest_json).get("modules", []))
    except (ValueError, KeyError, TypeError, AttributeError):
        return ()


@app.get("/bench/fastapi/{slug}/status")
def status(slug: str, authorization: str = Header(default="")) -> dict:
    user = caller(authorization)
    slug = slug.lower().replace("-", "_")
    if not SLUG.fullmatch(slug):
        raise HTTPException(400, "invalid slug")
    db = connection()
    db.execute("BEGIN")
    try:
        # Read as the service does (it would recover an abandoned operation; none is, here).
        db.execute("SELECT operation_id FROM operation_lease WHERE user_id = ? AND plugin_slug = ?",
                   (user, slug)).fetchone()
        plugin = db.execute("SELECT id, plugin_slug, version, enabled, manifest_json, installed_at FROM plugin "
                            "WHERE user_id = ? AND plugin_slug = ?", (user, slug)).fetchone()
        if plugin:
            modules = db.execute("SELECT id, name, enabled FROM module WHERE plugin_id = ? ORDER BY id",
                                 (plugin[0],)).fetchall()
            files = db.execute("SELECT path, size, sha256 FROM installed_file WHERE plugin_id = ? ORDER BY path",
                               (plugin[0],)).fetchall()
    finally:
        db.execute("COMMIT")
    if not plugin:  # (the service also 404s a slug its catalog lacks; the bench never asks for one)
        report = {"plugin_slug": slug, "exists": False, "status": "not_installed", "files_exist": False,
                  "files": {"expected": 0, "missing": [], "modified": []},
                  "modules_status": {"all_loaded": False, "loaded_count": 0, "expected_count": 0}}
        return {"data": report, "message": f"Plugin '{slug}' is not_installed", "status": "success"}
    plugin_id, plugin_slug, version, enabled, manifest_json, _ = plugin
    folder = os.path.join(DATA_DIR, "plugins", user, plugin_slug)
    missing, modified = [], []
    for path, size, _ in files:
        try:
            st = os.lstat(os.path.join(folder, path))
        except OSError:
            missing.append(path)
            continue
        if not stat.S_ISREG(st.st_mode):
            missing.append(path)
        elif st.st_size != size:
            modified.append(path)
    expected = module_names(manifest_json)
    present = {name for _, name, _ in modules}
    loaded = sum(1 for name in expected if name in present)
    all_loaded = loaded == len(expected) and len(modules) == len(expected)
    health = ("files_missing" if missing else "files_modified" if modified
              else "modules_corrupted" if not all_loaded else "healthy")
    report = {"enabled": bool(enabled), "exists": True,
              "files": {"expected": len(files), "missing": missing, "modified": modified},
              "files_exist": not missing,
              "modules_status": {"all_loaded": all_loaded, "expected_count": len(expected), "loaded_count": loaded},
              "plugin_id": plugin_id, "plugin_slug": plugin_slug, "status": health, "version": version}
    return {"data": report, "message": f"Plugin '{plugin_slug}' is {health}", "status": "success"}

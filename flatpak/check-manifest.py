#!/usr/bin/env python3
"""Checks the Flatpak manifest: valid JSON, the right app id, and what the app needs.

Usage: check-manifest.py MANIFEST APP_ID (run by meson test, suite 'data').
"""
import json
import sys


def main():
    path, app_id = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)

    problems = []
    if manifest.get("app-id") != app_id:
        problems.append(f"app-id is {manifest.get('app-id')!r}, not {app_id!r}")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        problems.append("runtime and sdk must be org.gnome.Platform and org.gnome.Sdk")
    if manifest.get("command") != "fleetdesk":
        problems.append("command must be fleetdesk")

    args = set(manifest.get("finish-args", []))
    for needed in ("--share=network", "--share=ipc", "--socket=fallback-x11", "--socket=wayland",
                   "--device=dri", "--filesystem=xdg-download"):
        if needed not in args:
            problems.append(f"finish-args lacks {needed}")

    modules = {m.get("name"): m for m in manifest.get("modules", []) if isinstance(m, dict)}
    if list(modules)[-1:] != ["fleetdesk"]:
        problems.append("fleetdesk must be the last module")
    for name, module in modules.items():
        for source in module.get("sources", []):
            kind = source.get("type")
            # Archives and files must be pinned by a checksum; a git source by a tag or commit.
            if kind in ("archive", "file") and "sha256" not in source:
                problems.append(f"{name}: {kind} source without sha256")
            if kind == "git" and not (source.get("tag") or source.get("commit")):
                problems.append(f"{name}: git source without tag or commit")
    if "libcsv" not in modules:
        problems.append("libcsv (not in the GNOME runtime) must be built")

    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

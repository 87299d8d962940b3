"""Prints, as JSON, what Python's feedparser reads from each feed file given on the command line.

Usage: /usr/bin/python3 feedparser_dump.py BASE_URL FILE...
Each FILE is parsed with BASE_URL + FILE as its address (the base for relative links), the
same address the TypeScript side uses. Output: {"version": ..., "files": {FILE: {...}}}.
"""
import calendar
import gzip
import json
import sys

try:
    import feedparser
except ImportError:
    print(json.dumps({"error": "feedparser is not importable; apt-get install python3-feedparser"}))
    sys.exit(3)


def seconds(parsed):
    return calendar.timegm(parsed) if parsed else None


def dump(path, base_url):
    with open(path, "rb") as handle:
        data = handle.read()
    # feedparser inflates gzip only for HTTP responses; the TypeScript side inflates any gzip body.
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    result = feedparser.parse(data, response_headers={"content-location": base_url + path})
    entries = []
    for entry in result.entries:
        entries.append({
            "title": entry.get("title"),
            "link": entry.get("link"),
            "id": entry.get("id"),
            "published": seconds(entry.get("published_parsed")) or seconds(entry.get("updated_parsed")),
        })
    return {"bozo": bool(result.bozo), "version": result.get("version"), "entries": entries}


def main():
    base_url = sys.argv[1]
    files = {}
    for path in sys.argv[2:]:
        try:
            files[path] = dump(path, base_url)
        except Exception as error:  # a crash on one file must not hide the others
            files[path] = {"error": repr(error), "entries": []}
    print(json.dumps({"version": feedparser.__version__, "files": files}))


main()

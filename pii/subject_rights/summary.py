"""`summary.html` of the export, and the printable erasure receipt: plain HTML
with inline CSS, no script, no external asset, so it opens and prints anywhere.

Written piece by piece (the export streams its lists); every value is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from django.utils.html import escape

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 1.8em;
     border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { text-align: left; vertical-align: top; padding: .25em .5em;
         border-bottom: 1px solid #e5e5e5; }
th { background: #f4f4f4; font-weight: 600; } .kv th { width: 14em; }
.note { background: #fff8e1; border: 1px solid #f0d68a; padding: .6em .8em; }
.muted { color: #666; } code { font-size: .95em; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               tr { break-inside: avoid; } }
"""

SECTION_TITLES = {
    "addresses": "Addresses",
    "deletion_requests": "Deletion requests",
    "access_log": "Access log: who accessed this data, when and why",
}


def label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def text(value: Any) -> str:
    """A value as escaped text ("-" for none; nested values as key: value lines)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "<br>".join(f"{escape(k)}: {text(v)}" for k, v in value.items()) or "-"
    return escape(str(value))


def page_start(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n"
    )


PAGE_END = "</body></html>\n"


def key_value_table(values: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{escape(label(k))}</th><td>{text(v)}</td></tr>" for k, v in values.items()
    )
    return f'<table class="kv">{rows}</table>\n'


def _rows_table(out: IO[bytes], items: Iterator[dict[str, Any]]) -> int:
    """One table, its columns the first item's keys; returns how many rows."""
    count = 0
    columns: list[str] = []
    for item in items:
        if count == 0:
            columns = list(item)
            head = "".join(f"<th>{escape(label(c))}</th>" for c in columns)
            out.write(f"<table><tr>{head}</tr>\n".encode())
        cells = "".join(f"<td>{text(item.get(c))}</td>" for c in columns)
        out.write(f"<tr>{cells}</tr>\n".encode())
        count += 1
    out.write(b"</table>\n" if count else b'<p class="muted">None.</p>\n')
    return count


def write_summary(
    out: IO[bytes],
    head: dict[str, Any],
    sections: list[tuple[str, Callable[[], Iterator[dict[str, Any]]]]],
) -> None:
    profile = head["profile"]
    out.write(page_start(f"Your personal data: profile {profile['display_id']}").encode())
    out.write(
        f'<p class="muted">Generated at {escape(head["generated_at"])}. The same data, '
        "machine-readable, is in data.json beside this file.</p>\n".encode()
    )
    out.write(f'<p class="note">{escape(head["not_included"])}</p>\n'.encode())
    out.write(b"<h2>Profile</h2>\n")
    out.write(key_value_table(profile).encode())
    for name, stream in sections:
        out.write(f"<h2>{escape(SECTION_TITLES.get(name, label(name)))}</h2>\n".encode())
        if name == "addresses":
            # One small table per address reads better than one very wide table.
            count = 0
            for item in stream():
                out.write(key_value_table(item).encode())
                count += 1
            if not count:
                out.write(b'<p class="muted">None.</p>\n')
        else:
            _rows_table(out, stream())
    out.write(PAGE_END.encode())

"""Make a small PDF of one chapter of the visitor guide, for the lesson on PDF input.

    python -m helpers.authoring.pdf            # writes data/documents/pdf/05_safety.pdf

A plain PDF 1.4 file: US Letter pages of the standard Helvetica font (no font embedded), one text line
a row, content streams uncompressed, no dates or ids, so the same chapter always gives the same bytes
(a test checks the committed file against this script). `text_of` reads such a file's text back: the
stand-in counts a PDF's tokens with it.
"""
from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from helpers import paths

CHAPTER = paths.ROOT / "data" / "documents" / "05_safety.md"
TARGET = paths.ROOT / "data" / "documents" / "pdf" / "05_safety.pdf"
WIDTH, HEIGHT, MARGIN = 612, 792, 72  # US Letter in points, one-inch margins
SIZE, LEADING, COLUMNS = 11, 15, 86  # font size, line height and characters a line in Helvetica 11 pt
LINES_A_PAGE = (HEIGHT - 2 * MARGIN) // LEADING


def _escape(line: str) -> str:
    latin = line.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _lines(markdown: str) -> list[str]:
    """The chapter's paragraphs wrapped to the page, a blank line between them, headings without '#'."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        text = " ".join(paragraph.split()).lstrip("# ")
        lines += textwrap.wrap(text, COLUMNS) + [""]
    return lines[:-1]


def pdf_bytes(markdown: str) -> bytes:
    lines = _lines(markdown)
    pages = [lines[i:i + LINES_A_PAGE] for i in range(0, len(lines), LINES_A_PAGE)] or [[]]
    count = len(pages)
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(count))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {count} >>"]
    font = 3 + 2 * count
    for n, page in enumerate(pages):
        rows = "\n".join(f"({_escape(line)}) Tj T*" for line in page)
        stream = f"BT /F1 {SIZE} Tf {LEADING} TL {MARGIN} {HEIGHT - MARGIN} Td\n{rows}\nET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * n} 0 R >>")
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def text_of(data: bytes) -> str:
    """The text of a PDF whose content streams are uncompressed (as this module writes them); '' otherwise."""
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data)
    return "\n".join(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in strings)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    source, target = (Path(argv[0]), Path(argv[1])) if len(argv) == 2 else (CHAPTER, TARGET)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf_bytes(source.read_text(encoding="utf-8")))
    print(f"{target}: {page_count(target.read_bytes())} page(s)")


if __name__ == "__main__":
    main()

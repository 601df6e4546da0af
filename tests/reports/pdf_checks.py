"""PDF/UA checks on a PDF's objects (pypdf), for the council report tests.

veraPDF is not installable here (no Debian or PyPI package), so these are the machine-checkable
parts of PDF/UA-1 that WeasyPrint documents for ``pdf_variant="pdf/ua-1"``: a tagged document
(MarkInfo/Marked, StructTreeRoot), the PDF/UA identification in the XMP metadata, a title that
is displayed, a document language, every font embedded, and an alternative text on every
figure of the structure tree.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def _resolve(x):
    return x.get_object() if isinstance(x, IndirectObject) else x


def struct_elements(root) -> list[DictionaryObject]:
    """Every structure element under the StructTreeRoot (depth first)."""
    out, stack = [], [_resolve(root)]
    while stack:
        node = _resolve(stack.pop())
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        if not isinstance(node, DictionaryObject):
            continue  # a marked-content id
        if "/S" in node:
            out.append(node)
        if "/K" in node:
            stack.append(node["/K"])
    return out


def fonts(reader: PdfReader) -> dict[str, DictionaryObject]:
    found = {}
    for page in reader.pages:
        res = _resolve(page.get("/Resources", {}))
        for f in _resolve(res.get("/Font", {})).values():
            f = _resolve(f)
            found[str(f.get("/BaseFont"))] = f
    return found


def embedded(font: DictionaryObject) -> bool:
    if "/DescendantFonts" in font:
        font = _resolve(_resolve(font["/DescendantFonts"])[0])
    desc = _resolve(font.get("/FontDescriptor", {}))
    return any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def problems(data: bytes) -> list[str]:
    """What keeps the PDF from PDF/UA-1, in words (empty: none found)."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    found = []
    if not _resolve(root.get("/MarkInfo", {})).get("/Marked"):
        found.append("niet getagd (MarkInfo/Marked)")
    if "/StructTreeRoot" not in root:
        found.append("geen structuurboom")
    if not str(root.get("/Lang", "")).startswith("nl"):
        found.append("geen documenttaal nl")
    if not _resolve(root.get("/ViewerPreferences", {})).get("/DisplayDocTitle"):
        found.append("titel wordt niet getoond (DisplayDocTitle)")
    xmp = _resolve(root["/Metadata"]).get_data().decode("utf-8") if "/Metadata" in root else ""
    if 'pdfuaid:part="1"' not in xmp and "<pdfuaid:part>1<" not in xmp:
        found.append("geen PDF/UA-identificatie in XMP")
    if "<dc:title>" not in xmp:
        found.append("geen titel in XMP")
    for name, font in fonts(reader).items():
        if not embedded(font):
            found.append(f"lettertype niet ingebed: {name}")
    if "/StructTreeRoot" in root:
        for el in struct_elements(root["/StructTreeRoot"]):
            if el["/S"] == "/Figure" and not str(el.get("/Alt", "")).strip():
                found.append("figuur zonder alternatieve tekst")
    return found


def figures(data: bytes) -> list[str]:
    """The alternative texts of the figures, in order."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    return [str(el.get("/Alt", "")) for el in struct_elements(root["/StructTreeRoot"])
            if el["/S"] == "/Figure"]


def text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

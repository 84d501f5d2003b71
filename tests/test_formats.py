"""One table of file formats (layers/core/formats.py) drives the exports, their buttons and the upload, and
agrees with what the importer reads."""

from __future__ import annotations

import pytest

from layers.core import export, formats, import_inputs
from layers.core import geocheck as gc
from layers.core.import_config import InputFile
from layers.features import export as export_panel
from layers.features import upload


def test_exports_come_from_the_table():
    assert export.KINDS == ("png", "gif", "mp4", "geojson", "csv")
    assert export.MEDIA_TYPES == {f.kind: f.media_type for f in formats.EXPORTS}
    assert [b[0] for b in export_panel.BUTTONS] == list(export.KINDS) == list(export.KIND_HELP)
    assert all(label and hint for _, label, hint in export_panel.BUTTONS)


def test_the_upload_accepts_what_the_table_says_an_import_reads():
    assert upload.ACCEPT.split(",") == list(formats.IMPORT_SUFFIXES)
    read = {s for f in formats.FORMATS if f.reads for s in f.suffixes}
    assert set(formats.IMPORT_SUFFIXES) == read


INPUTS = [s for f in formats.FORMATS if f.reads in ("snapshots", "events") for s in f.suffixes]


@pytest.mark.parametrize("suffix", INPUTS)
def test_the_importer_knows_every_input_format_of_the_table(suffix):
    found = gc.Findings()
    import_inputs.sniff(InputFile("x" + suffix, b"\x00"), found)
    assert found.errors and not any("unsupported file type" in p.message for p in found.errors)


def test_the_importer_names_a_format_outside_the_table():
    found = gc.Findings()
    assert import_inputs.sniff(InputFile("x.shp", b"\x00"), found) is None
    assert "unsupported file type '.shp'" in found.errors[0].message

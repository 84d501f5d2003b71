"""One definition of each input rule (layers/core/validate.py), used by every module that checks that rule."""

from __future__ import annotations

import pytest

from layers.core import briefings, export, export_request, geocheck, import_config, validate
from layers.core.briefings import BriefingError
from layers.server import context, store


def test_every_slug_check_uses_the_one_grammar():
    assert import_config.SLUG_RE is validate.SLUG
    assert context.SLUG is validate.SLUG and store.SLUG is validate.SLUG
    assert export_request._parse_theatre("raqqa-2017") == "raqqa-2017"
    with pytest.raises(export.ExportError, match="theatre name was not understood"):
        export_request._parse_theatre("raqqa-")


@pytest.mark.parametrize("slug", ["raqqa-2017", "a", "a" * 63, "t2"])
def test_slugs_that_name_a_theatre(slug):
    assert validate.slug(slug) == slug
    assert briefings.clean_view({"date": "2017-06-01", "theatre": slug})["theatre"] == slug


@pytest.mark.parametrize("slug", ["raqqa-", "-raqqa", "a" * 64, "raqqa_2017", "Raqqa", "a/b", "", "é"])
def test_slugs_refused_everywhere_alike(slug):
    # a theatre slug the importer accepts is one a briefing can save: both refuse the same ones
    assert not validate.SLUG.fullmatch(slug)
    with pytest.raises(validate.BadInput):
        validate.slug(slug)
    if slug:
        with pytest.raises(BriefingError, match="theatre must be a short lower-case identifier"):
            briefings.clean_view({"date": "2017-06-01", "theatre": slug})


def test_an_import_config_with_a_slug_ending_in_a_hyphen_is_refused():
    found = geocheck.Findings()
    config = import_config.read_config(
        import_config.InputFile("theatre.toml", b'name = "T"\nslug = "raqqa-"\nstart = "2017-01-01"\n'), found
    )
    assert config is None or found.errors
    assert any(p.item == "slug" and "'raqqa-'" in p.message for p in found.errors), found.errors


def test_formula_prefixes_and_bidi_controls_are_defined_once():
    assert geocheck.FORMULA_START is validate.FORMULA_START and export.FORMULA_START is validate.FORMULA_START
    assert geocheck.BIDI_CONTROLS is validate.BIDI_CONTROLS
    assert export.safe_cell("=1+1") == "'=1+1"
    assert validate.short_text("a\u202eb\u2066c") == "abc"
    assert export_request._parse_caption("Raqqa\u202e \x00city") == "Raqqa  city"  # the export caption: the same rule


def test_strict_integer_ids():
    assert validate.integer(3, lo=1, hi=9) == 3 and validate.integer("3", lo=1, hi=9) == 3
    for bad in [1.9, 1.0, "1.9", True, "", "-1", None, [1], "٣"]:
        with pytest.raises(validate.BadInput):
            validate.integer(bad, lo=1, hi=9)

"""Animations: frame dates, the frame cache, frames drawn in processes, GIF and MP4 (core/animation.py, encode.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

from layers.core import animation, encode, export, render
from layers.core.export import ExportError
from tests.export_inputs import SMALL, D, req

pytestmark = pytest.mark.usefixtures("fresh_frame_cache")

# ---------------------------------------------------------------------------------------------------------
# GIF and MP4


class Store(animation.FrameStore):
    """Frames kept in memory, for the tests that hand a store to the drawing."""

    def __init__(self):
        self.items = {}

    def get(self, key):
        return self.items.get(key)

    def put(self, key, value):
        self.items[key] = value


def test_frame_dates_one_per_map_state(tiny):
    dates = animation.frame_dates(tiny)
    assert dates == [D(2017, 1, 1), D(2017, 1, 10), D(2017, 2, 1), D(2017, 3, 1)]
    assert len({tiny.state_key(d) for d in dates}) == len(dates)


def test_frame_dates_every_n_days_include_the_end(tiny):
    dates = animation.frame_dates(tiny, every=100)
    assert dates == [D(2017, 1, 1), D(2017, 4, 11), D(2017, 7, 20), D(2017, 10, 28), D(2017, 12, 31)]


def test_gif_has_one_frame_per_state_each_different(tiny):
    gif = export.build(tiny, req(tiny, kind="gif", size=list(SMALL)))
    with Image.open(io.BytesIO(gif)) as im:
        assert im.format == "GIF" and im.size == SMALL
        frames = [np.asarray(f.convert("RGB")).copy() for f in ImageSequence.Iterator(im)]
        assert im.info.get("loop") == 0
    assert len(frames) == len(animation.frame_dates(tiny)) == 4
    digests = {f.tobytes() for f in frames}
    assert len(digests) == 4


def test_second_animation_reuses_the_cached_frames(tiny, monkeypatch):
    r = req(tiny, kind="gif", size=list(SMALL))
    first = export.build(tiny, r)
    assert len(animation._FRAMES) == 4

    def no_rendering(*_a, **_k):
        raise AssertionError("frame rendered again")

    monkeypatch.setattr(render, "render_rgb", no_rendering)
    assert export.build(tiny, r) == first
    assert len(export.build(tiny, req(tiny, kind="mp4", size=list(SMALL)))) > 0  # same frames, other format


def test_an_animation_over_the_pixel_budget_is_refused_before_any_frame_is_drawn(ctx, monkeypatch):
    def no_rendering(*_a, **_k):
        raise AssertionError("a frame was drawn")

    monkeypatch.setattr(render, "render_rgb", no_rendering)
    every_day_4k = req(ctx.territory, kind="gif", every=1, size=[3840, 2160])
    n = len(animation.frame_dates(ctx.territory, every=1))
    millions = f"{n * 3840 * 2160 / 1e6:,.0f}"
    message = rf"{n} frames of 3840x2160 are {millions} million pixels: more than the 200 million"
    with pytest.raises(ExportError, match=message):
        export.build(ctx.territory, every_day_4k)
    with pytest.raises(ExportError, match=r"at 1280x720, at most 217 frames"):
        export.build(ctx.territory, req(ctx.territory, kind="mp4", every=1))
    assert export.check_size(ctx.territory, req(ctx.territory, kind="gif")) == len(animation.frame_dates(ctx.territory))


def test_progress_counts_every_frame_and_a_given_store_keeps_them(tiny):
    seen, store = [], Store()
    gif = export.build(tiny, req(tiny, kind="gif", size=list(SMALL)), frames=store, progress=lambda *a: seen.append(a))
    assert gif[:6] == b"GIF89a"
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(store.items) == 4 and len(animation._FRAMES) == 0
    assert all(k.startswith("frame:") and v[:4] == b"\x89PNG" for k, v in store.items.items())


def test_mp4_is_a_valid_container_with_every_frame(tiny, tmp_path):
    mp4 = export.build(tiny, req(tiny, kind="mp4", size=list(SMALL)))
    assert mp4[4:8] == b"ftyp" and b"moov" in mp4
    imageio = pytest.importorskip("imageio.v2")
    path = tmp_path / "campaign.mp4"
    path.write_bytes(mp4)
    reader = imageio.get_reader(path, format="FFMPEG")
    try:
        n = reader.count_frames()
        size = reader.get_meta_data()["size"]
    finally:
        reader.close()
    hold = round(encode.HOLD_SECONDS / encode.FRAME_SECONDS)
    assert n == 4 + hold - 1
    assert size == SMALL


def test_frames_drawn_in_processes_are_the_frames_drawn_here(tiny, monkeypatch):
    r = req(tiny, kind="gif", size=list(SMALL))
    here = list(animation.frames_rgb(tiny, r, frames=Store(), workers=1))
    monkeypatch.setattr(animation, "POOL_MIN_FRAMES", 1)
    seen, store = [], Store()
    pooled = list(animation.frames_rgb(tiny, r, frames=store, progress=lambda *a: seen.append(a), workers=2))
    assert len(pooled) == len(here) == 4 and all(np.array_equal(a, b) for a, b in zip(pooled, here, strict=True))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)] and len(store.items) == 4


def test_stopping_an_animation_ends_its_drawing_processes(tiny, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(animation, "POOL_MIN_FRAMES", 1)
    frames = iter(animation.frames_rgb(tiny, req(tiny, kind="gif", size=list(SMALL)), frames=Store(), workers=2))
    next(frames), next(frames)  # the first drawn here, the others in the pool
    assert multiprocessing.active_children()  # the pool is drawing the rest
    frames.close()
    assert multiprocessing.active_children() == []


def test_gif_frames_keep_the_drawn_colours_with_one_palette(tiny):
    r = req(tiny, kind="gif", size=list(SMALL))
    drawn = list(animation.frames_rgb(tiny, r, frames=Store()))
    with Image.open(io.BytesIO(export.build(tiny, r))) as im:
        shown = [np.asarray(f.convert("RGB")).astype(int) for f in ImageSequence.Iterator(im)]
        assert "transparency" not in im.info
    for a, b in zip(shown, drawn, strict=True):
        assert np.abs(a - b).mean() < 3  # quantised to 255 colours, no dithering: close to the drawn frame
    assert len(encode.palette(drawn[:2]).getpalette()) // 3 <= 256


def test_frames_are_drawn_here_when_no_process_can_be_started(tiny, monkeypatch):
    class NoPool:
        def Pool(self, *_a, **_k):  # noqa: N802  (the name multiprocessing gives it)
            raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(animation, "POOL_MIN_FRAMES", 1)
    monkeypatch.setattr(animation.mp, "get_context", lambda _method: NoPool())
    seen = []
    frames = animation.frames_rgb(
        tiny, req(tiny, kind="gif", size=list(SMALL)), frames=Store(), workers=2, progress=lambda *a: seen.append(a)
    )
    assert len(list(frames)) == 4 and seen == [(1, 4), (2, 4), (3, 4), (4, 4)]

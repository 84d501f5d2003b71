"""Warming the frame cache (layers/server/warmup.py): it fills the disk cache, an export then draws nothing, a
second warm-up is a no-op, one runs at a time, and nothing starts unless RAQQA_WARM_EXPORTS=1."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from layers.core import export, render
from layers.core.territory import Territory
from layers.server import jobs, warmup

SMALL = [480, 270]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("RAQQA_CELERY_BROKER", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv(warmup.ENV, raising=False)
    jobs.celery_app.cache_clear()
    yield tmp_path / "instance"
    warmup.stop()
    jobs.celery_app.cache_clear()


@pytest.fixture
def drawn(monkeypatch):
    """Counts the frames drawn in this process (the warm-up draws in one process)."""
    count = {"n": 0}
    real = render.render_rgb

    def counting(*a, **k):
        count["n"] += 1
        return real(*a, **k)

    monkeypatch.setattr(render, "render_rgb", counting)
    return count


def small_gif(territory: Territory):
    return export.parse_request(territory, {"kind": "gif", "size": SMALL})


def test_the_warm_up_fills_the_cache_and_the_export_then_draws_nothing(instance, tiny, drawn):
    req, store = small_gif(tiny), jobs.DiskFrames()
    assert warmup.missing(tiny, req, store) == 4
    assert warmup.warm(tiny, store, req) == 4
    assert drawn["n"] == 4 and warmup.missing(tiny, req, store) == 0

    gif = export.build(tiny, req, frames=jobs.DiskFrames())  # another store on the same folder: another worker
    assert drawn["n"] == 4  # no frame drawn by the export
    with Image.open(io.BytesIO(gif)) as im:
        assert im.size == tuple(SMALL) and im.n_frames == 4
    assert export.build(tiny, export.parse_request(tiny, {"kind": "mp4", "size": SMALL}), frames=store)
    assert drawn["n"] == 4  # the MP4 shares the GIF's frames


def test_a_second_warm_up_is_a_no_op(instance, tiny, drawn):
    req = small_gif(tiny)
    assert warmup.warm(tiny, jobs.DiskFrames(), req) == 4
    assert warmup.warm(tiny, jobs.DiskFrames(), req) == 0
    assert drawn["n"] == 4


def test_other_data_is_warmed_again(instance, tiny, tiny_dir, drawn):
    from layers.core import load_dataset

    req = small_gif(tiny)
    assert warmup.warm(tiny, jobs.DiskFrames(), req) == 4
    config = tiny_dir / "theatre.json"
    config.write_text(config.read_text(encoding="utf-8").replace("Tiny test theatre", "Tiny theatre, revised"))
    changed = Territory(load_dataset(tiny_dir))
    assert changed.ds.theatre != tiny.ds.theatre
    assert warmup.missing(changed, small_gif(changed), jobs.DiskFrames()) == 4


def test_one_warm_up_at_a_time(instance, tiny, drawn):
    req, store = small_gif(tiny), jobs.DiskFrames()
    with warmup.lock() as held:
        assert held
        assert warmup.warm(tiny, store, req) is None  # another open of the lock file: as another process
        assert drawn["n"] == 0 and warmup.missing(tiny, req, store) == 4
    assert warmup.warm(tiny, store, req) == 4  # the lock is free again


def test_off_unless_switched_on(instance, monkeypatch):
    assert not warmup.enabled() and warmup.start() is None
    for value in ("0", "", "yes"):
        monkeypatch.setenv(warmup.ENV, value)
        assert warmup.start() is None


def test_the_warm_up_process_fills_the_cache_and_stops(instance, tiny_dir, monkeypatch):
    """The real process, on the tiny theatre (4 frames at 1280x720)."""
    from layers.core import load_dataset

    monkeypatch.setenv("RAQQA_GEODATA", str(tiny_dir))
    monkeypatch.setenv(warmup.ENV, "1")
    proc = warmup.start()
    assert proc is not None and warmup.start() is proc  # one per server
    assert proc.wait(timeout=300) == 0
    territory = Territory(load_dataset(tiny_dir))
    assert warmup.missing(territory, warmup.default_request(territory), jobs.DiskFrames()) == 0

    again = warmup.start()  # a new start after the end: finds everything cached
    assert again is not proc
    warmup.stop()
    assert again.poll() is not None


def test_the_warm_up_process_takes_the_lowest_priority():
    import multiprocessing as mp

    def child(q):
        warmup._lowest_priority()
        q.put(os.getpriority(os.PRIO_PROCESS, 0))

    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q,))
    p.start()
    assert q.get(timeout=30) == warmup.WARM_NICE == 19
    p.join(30)

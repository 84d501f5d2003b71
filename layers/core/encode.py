"""Encoders of an animation: GIF (Pillow) and MP4 (H.264 through imageio and the ffmpeg of imageio-ffmpeg)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from layers.core.export_request import ExportError

FRAME_SECONDS = 0.5
HOLD_SECONDS = 3.0  # the last frame stays up this long


def palette(sample: list[np.ndarray]):
    """One palette of at most 255 colours for every frame of a GIF, from a few of its frames (octree)."""
    from PIL import Image

    return Image.fromarray(np.concatenate(sample, axis=0)).quantize(colors=255, method=Image.Quantize.FASTOCTREE)


def gif(frames: Iterator[np.ndarray], total: int, colours) -> bytes:
    """A looping GIF of ``total`` frames, every frame mapped to the palette image ``colours`` (no dithering):
    one colour table for the whole file, and only the pixels that change from a frame to the next are written."""
    from PIL import Image

    def quantised():  # one frame at a time: only the quantised frames (a byte per pixel) are kept by the encoder
        for f in frames:
            yield Image.fromarray(f).quantize(palette=colours, dither=Image.Dither.NONE)

    images = quantised()
    first = next(images)
    durations = [int(FRAME_SECONDS * 1000)] * total
    durations[-1] = int(HOLD_SECONDS * 1000)
    buf = io.BytesIO()
    first.save(buf, format="GIF", save_all=True, append_images=images, duration=durations, loop=0)
    return buf.getvalue()


def mp4(frames: Iterator[np.ndarray]) -> bytes:
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401  (ships the ffmpeg binary)
    except ImportError as exc:  # pragma: no cover - both are pinned in requirements.txt
        raise ExportError("MP4 export needs imageio and imageio-ffmpeg; the GIF export works without them.") from exc
    fps = 1 / FRAME_SECONDS
    hold = max(1, round(HOLD_SECONDS * fps))
    with tempfile.TemporaryDirectory(prefix="raqqa-mp4-") as tmp:
        path = Path(tmp) / "campaign.mp4"
        writer = imageio.get_writer(
            path,
            format="FFMPEG",
            fps=fps,
            codec="libx264",
            quality=8,
            pixelformat="yuv420p",
            macro_block_size=2,  # yuv420p needs even sizes; 1920x1080 and 1280x720 are kept exactly
            ffmpeg_log_level="error",
            output_params=["-movflags", "+faststart", "-preset", "veryfast"],
        )
        try:
            last = None
            for last in frames:
                writer.append_data(last)
            for _ in range(hold - 1):
                writer.append_data(last)
        finally:
            writer.close()
        return path.read_bytes()

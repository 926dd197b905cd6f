"""Loudness of a recording, decoded by ffmpeg (Debian's package) and read as a stream.

ffmpeg turns any recording it can read (WAV, MP3, M4A/AAC, OGG, the sound of a
video) into mono 16-bit PCM at 8 kHz on a pipe; we read it one block at a time,
so a three-hour IC recording is never held in memory, and compute the level of
each second in dBFS (RMS of the samples against full scale). From those levels:

- the recording's own median level, over the seconds with a voice in them
  (quieter than ``silence_dbfs`` is silence; the pauses where only the room is
  heard are left out too, see ``median_level``: long pauses would otherwise pull
  the median down and make ordinary speech look raised);
- the segments where the voice is raised: at least ``raised_db`` above that
  median for at least ``raised_seconds`` seconds in a row (a pause of up to
  ``gap_seconds`` inside a shout does not split it).

No Django here: ``evidence.recordings`` stores what this computes."""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

SAMPLE_RATE = 8000  # enough for the voice; a quarter of the work of 32 kHz
BLOCK_SECONDS = 10  # read from ffmpeg this many seconds at a time
FLOOR_DBFS = -120.0  # the level of digital silence (log of zero)
FULL_SCALE = 32768.0


class AudioUnreadable(Exception):
    """ffmpeg could not read the file as sound; ``message`` is for staff (Japanese)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Thresholds:
    raised_db: float = 10.0
    raised_seconds: int = 3
    gap_seconds: int = 1
    silence_dbfs: float = -60.0


@dataclass
class Segment:
    start: int  # seconds from the beginning
    end: int  # exclusive
    peak_dbfs: float
    above_median_db: float

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "peak_dbfs": round(self.peak_dbfs, 1),
            "above_median_db": round(self.above_median_db, 1),
        }


@dataclass
class Loudness:
    duration: float  # seconds, from the samples decoded
    levels: list[float]  # dBFS of each second (the last one may be partial)
    median_dbfs: float | None  # None when the whole recording is silence
    segments: list[Segment] = field(default_factory=list)


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise AudioUnreadable("ffmpeg が見つかりません。サーバーに ffmpeg を入れてください（make ffmpeg）。")
    return path


def second_levels(pcm_blocks, *, rate: int = SAMPLE_RATE, progress: Callable[[int], None] | None = None):
    """dBFS of each second of the 16-bit mono samples in ``pcm_blocks`` (bytes, any sizes).
    Returns (levels, sample count)."""
    levels: list[float] = []
    carry = b""
    samples = 0
    for block in pcm_blocks:
        data = carry + block
        usable = len(data) - len(data) % 2
        carry = data[usable:]
        pcm = np.frombuffer(data[:usable], dtype="<i2")
        samples += pcm.size
        whole = pcm.size - pcm.size % rate
        if whole:
            levels.extend(_dbfs(pcm[:whole].reshape(-1, rate)))
        rest = pcm[whole:]
        carry = rest.tobytes() + carry
        samples -= rest.size  # counted again with the next block
        if progress is not None and whole:
            progress(len(levels))
    tail = np.frombuffer(carry[: len(carry) - len(carry) % 2], dtype="<i2")
    samples += tail.size
    if tail.size >= rate // 10:  # a last part second of 0.1 s or more has a level of its own
        levels.extend(_dbfs(tail.reshape(1, -1)))
    return levels, samples


def _dbfs(frames: np.ndarray) -> list[float]:
    squares = np.square(frames.astype(np.float64)).mean(axis=1)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(squares / (FULL_SCALE * FULL_SCALE))
    return np.maximum(values, FLOOR_DBFS).round(2).tolist()


ROOM_PERCENTILE = 10  # the quietest tenth of the seconds with sound: the room's own noise
VOICE_ABOVE_ROOM_DB = 6  # a second this much louder than the room has a voice in it
VOICE_SHARE = 0.3  # …when at least this share of the seconds do (else the room is the voice)


def median_level(levels: list[float], *, silence_dbfs: float) -> float | None:
    """The recording's own level: the median of the seconds with a voice in them. Seconds
    of silence are left out, and so are the pauses where only the room is heard (long
    pauses would otherwise pull the median down to the room's noise and make ordinary
    speech look raised) — unless few seconds stand out from the room, when all sounding
    seconds count."""
    sounding = np.asarray([level for level in levels if level > silence_dbfs])
    if not sounding.size:
        return None
    room = float(np.percentile(sounding, ROOM_PERCENTILE))
    voiced = sounding[sounding >= room + VOICE_ABOVE_ROOM_DB]
    if voiced.size >= VOICE_SHARE * sounding.size:
        return float(np.median(voiced))
    return float(np.median(sounding))


def raised_segments(levels: list[float], *, median: float | None, thresholds: Thresholds) -> list[Segment]:
    """Runs of seconds at least ``raised_db`` above ``median``, bridged over short pauses,
    kept when at least ``raised_seconds`` long."""
    if median is None:
        return []
    limit = median + thresholds.raised_db
    segments: list[Segment] = []
    start = last = None
    for second, level in enumerate([*levels, None]):
        loud = level is not None and level >= limit
        if loud:
            if start is not None and second - last - 1 > thresholds.gap_seconds:
                segments.append(_segment(levels, start, last + 1, median))
                start = None
            if start is None:
                start = second
            last = second
    if start is not None:
        segments.append(_segment(levels, start, last + 1, median))
    return [segment for segment in segments if segment.seconds >= thresholds.raised_seconds]


def _segment(levels, start, end, median) -> Segment:
    peak = max(levels[start:end])
    return Segment(start=start, end=end, peak_dbfs=peak, above_median_db=peak - median)


def analyse_file(
    path: str,
    *,
    thresholds: Thresholds = Thresholds(),
    progress: Callable[[int], None] | None = None,
    threads: int = 1,
) -> Loudness:
    """Decode ``path`` with ffmpeg and measure it (see the module's docstring)."""
    command = [
        ffmpeg_path(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-threads",
        str(threads),
        "-i",
        path,
        "-map",
        "0:a:0",  # the first sound track (a video's too); none: an error below
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "pipe:1",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        block = SAMPLE_RATE * 2 * BLOCK_SECONDS

        def blocks():
            while chunk := process.stdout.read(block):
                yield chunk

        try:
            levels, samples = second_levels(blocks(), progress=progress)
        finally:
            process.stdout.close()
        errors = process.stderr.read().decode("utf-8", "replace")
        returncode = process.wait()
    if "matches no streams" in errors:
        raise AudioUnreadable(
            "音声の入っていない動画のため、音量の解析はできません。ファイル自体は保存されています。",
            detail=errors.strip()[-2000:],
        )
    if returncode != 0 or samples == 0:
        raise AudioUnreadable(
            "音声として読み取れませんでした（ファイルが壊れているか、音声の入っていない形式です）。"
            "ファイル自体は保存されています。",
            detail=errors.strip()[-2000:],
        )
    median = median_level(levels, silence_dbfs=thresholds.silence_dbfs)
    return Loudness(
        duration=samples / SAMPLE_RATE,
        levels=levels,
        median_dbfs=median,
        segments=raised_segments(levels, median=median, thresholds=thresholds),
    )


# -- compact storage: one byte per second ----------------------------------------
def pack_levels(levels: list[float]) -> bytes:
    """Each second's level as one byte, in half decibels below full scale (0 = 0 dBFS,
    255 = -127.5 dBFS or quieter): an hour is 3.6 KB."""
    return bytes(max(0, min(255, round(-level * 2))) if math.isfinite(level) else 255 for level in levels)


def unpack_levels(data: bytes) -> list[float]:
    return [-value / 2 for value in bytes(data or b"")]

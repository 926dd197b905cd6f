"""Recordings made for the tests, with Debian's espeak-ng and sox (`make audio-tools`):
a sentence spoken at an ordinary level, then louder, over a quiet room; converted to
the formats of phone and IC recorders. Nothing is downloaded."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SENTENCE = "本日はご来庁ありがとうございます。ご用件を順番にお伺いしますので、少々お待ちください。"
LOUD_SENTENCE = "いいから早く責任者を出せと言っているんだ。"
RATE = 16000


def tools_or_fail(pytest) -> None:
    missing = [tool for tool in ("espeak-ng", "sox", "ffmpeg") if not shutil.which(tool)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} がありません: `make audio-tools` で Debian のパッケージを入れてください。",
            pytrace=False,
        )


def run(*command) -> None:
    subprocess.run([str(part) for part in command], check=True, capture_output=True)


def speech(folder: Path, text: str, name: str, volume: float) -> Path:
    """``text`` spoken by espeak-ng (Japanese voice), mono 16 kHz, at ``volume`` (1 = as spoken)."""
    raw, out = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    run("espeak-ng", "-v", "ja", "-s", "150", "-w", raw, text)
    run("sox", raw, "-r", RATE, "-c", 1, "-b", 16, out, "vol", volume)
    return out


def room(folder: Path, seconds: float, name: str = "room") -> Path:
    """A quiet room (pink noise at about -50 dBFS): the pauses are not digital silence."""
    out = folder / f"{name}.wav"
    run("sox", "-n", "-r", RATE, "-c", 1, "-b", 16, out, "synth", seconds, "pinknoise", "vol", 0.006)
    return out


def seconds_of(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True).stdout)


def raised_voice_recording(folder: Path) -> tuple[Path, float, float]:
    """Ordinary speech, then a raised voice (+20 dB) for a few seconds, then ordinary speech.
    Returns the WAV and where the raised part starts and ends (seconds)."""
    normal = speech(folder, SENTENCE, "normal", 0.08)
    loud = speech(folder, LOUD_SENTENCE, "loud", 0.8)
    pause = room(folder, 1.0, "pause")
    parts = [normal, pause, normal, pause, normal, pause, loud, loud, pause, normal, pause, normal]
    out = folder / "raised.wav"
    run("sox", *parts, out)
    start = 3 * seconds_of(normal) + 3 * seconds_of(pause)
    end = start + 2 * seconds_of(loud)
    return out, start, end


def convert(source: Path, fmt: str) -> Path:
    """The recording as ``fmt``: wav, mp3 and ogg by sox; m4a (AAC) by ffmpeg."""
    out = source.with_suffix(f".{fmt}")
    if fmt == "m4a":
        run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source, "-c:a", "aac", "-b:a", "64k", out)
    elif fmt == "wav":
        return source
    else:
        run("sox", source, out)
    return out


def long_recording(folder: Path, seconds: int, *, rate: int = 8000, name: str = "long") -> Path:
    """``seconds`` of a quiet room with the sentence spoken every minute (sox ``repeat``)."""
    minute = folder / f"{name}-minute.wav"
    normal = speech(folder, SENTENCE, f"{name}-speech", 0.08)
    filler = room(folder, max(1.0, 60 - seconds_of(normal)), f"{name}-filler")
    run("sox", normal, filler, "-r", rate, minute)
    out = folder / f"{name}.wav"
    repeats = max(0, -(-seconds // 60) - 1)
    run("sox", minute, out, "repeat", repeats, "trim", 0, seconds)
    return out

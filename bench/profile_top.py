"""The hottest functions of a py-spy profile in its raw (collapsed stack) format.

    .venv/bin/python -m bench.profile_top profile.raw [--top 25]

Prints, as shares of all samples, the functions by self time (the frame on
top of the stack) and by total time (anywhere on the stack, counted once per
sample), so that a profile can be quoted in a README or a commit message.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# py-spy frames look like "function (path/to/module.py:123)"; the line is dropped.
_LINE = re.compile(r":\d+\)$")


def _frame(frame: str) -> str:
    name = _LINE.sub(")", frame.strip())
    for marker in ("site-packages/", "/work/", "python3."):
        if marker in name:
            head, _, tail = name.partition("(")
            name = head + "(" + tail.split(marker, 1)[-1]
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in args.raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(frame) for frame in stack.split(";")]
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    print(f"{samples} samples")
    for title, counter in (("self", own), ("total", total)):
        print(f"-- by {title} time")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / max(samples, 1):5.1f} %  {name}")


if __name__ == "__main__":
    main()

"""Summarises a py-spy raw profile (`--format raw`: one "frame;frame;... count" line per stack).

    python -m bench.hotspots bench/results/<timestamp>-bff.txt [--top 25] [--grep TEXT]

Prints where the samples were: by function itself (self), by function including what it called
(inclusive), and by source file, as percentages of all samples. `python -m bench --profile` writes
the profiles of the BFF and the services during one extra run of the mix.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _parts(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), ""
    file = match["file"]
    for marker in ("site-packages/", "/work/main/", "/lib/python3.12/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return match["func"], file


def summarise(text: str) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    total = 0
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    by_file: Counter[str] = Counter()
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_parts(f) for f in stack.split(";") if f]
        if not frames:
            continue
        func, file = frames[-1]
        self_time[f"{func} ({file})"] += count
        by_file[file] += count
        for name in {f"{fn} ({fl})" for fn, fl in frames}:
            inclusive[name] += count
    return total, self_time, inclusive, by_file


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots", description=__doc__)
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--grep", default="", help="only inclusive entries containing this text")
    args = parser.parse_args()
    total, self_time, inclusive, by_file = summarise(Path(args.profile).read_text(errors="replace"))
    if not total:
        print("no samples")
        return 1
    print(f"{total} samples")
    for title, counter in (("self", self_time), ("inclusive", inclusive), ("by file (self)", by_file)):
        print(f"\n{title}:")
        shown = 0
        for name, count in counter.most_common():
            if args.grep and args.grep not in name:
                continue
            print(f"  {100 * count / total:5.1f}%  {name}")
            shown += 1
            if shown >= args.top:
                break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

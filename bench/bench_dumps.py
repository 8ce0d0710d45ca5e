"""Download speed of a release's largest dump from `conflictkg serve` on loopback (issue 7: ≥ 1 GB/s).

    python bench/bench_dumps.py --release dist            # the release as it is
    python bench/bench_dumps.py --release dist --pad-mb 1000

``--pad-mb`` serves a copy of the release (hard links) whose ``conflictkg.trig`` has that many MB of
comment lines appended (still valid TriG; its manifest entry updated), for a large file from a small
release. The client is a raw socket reading into one buffer (curl and httpx are slower than the server
here); each download's rate and the server processes' CPU seconds per GB are printed, then the median.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import free_port, process_tree, stop_tree

PADDED = "conflictkg.trig"
PAD_LINE = b"# padding for a large-file download benchmark (bench/bench_dumps.py)\n"


def padded_copy(release: Path, megabytes: int, workdir: Path) -> Path:
    """A copy of ``release`` (hard links) whose PADDED file is ``megabytes`` MB longer, manifest updated."""
    copy = workdir / "release"
    shutil.copytree(release, copy, copy_function=os.link)
    target = copy / PADDED
    data = target.read_bytes()
    target.unlink()  # a fresh file: the original stays untouched behind its other link
    block = PAD_LINE * (1024 * 1024 // len(PAD_LINE))
    digest = hashlib.sha256(data)
    with target.open("wb") as out:
        out.write(data)
        for _ in range(megabytes):
            out.write(block)
            digest.update(block)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == PADDED:
            entry["bytes"], entry["sha256"] = target.stat().st_size, digest.hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def download(port: int, path: str) -> tuple[int, float]:
    """(bytes, seconds) of one GET of ``path``, headers included."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        buffer = memoryview(bytearray(4 << 20))
        total, started = 0, time.perf_counter()
        while received := sock.recv_into(buffer):
            total += received
        return total, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, required=True)
    parser.add_argument("--pad-mb", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dumps-") as tmp:
        release = padded_copy(args.release, args.pad_mb, Path(tmp)) if args.pad_mb else args.release
        manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
        largest = max(manifest["files"], key=lambda entry: entry["bytes"])
        port = free_port()
        argv = [sys.executable, "-m", "conflictkg", "serve", "--release", str(release), "--on-disk", "--no-access-log",
                "--port", str(port), "--cache-dir", str(Path(tmp) / "cache")]
        with (Path(tmp) / "server.log").open("wb") as log:
            server = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        print((Path(tmp) / "server.log").read_text(), file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            rates = []
            for _ in range(args.runs):
                before = cpu_seconds(server.pid)
                size, seconds = download(port, f"dumps/{largest['path']}")
                cpu = cpu_seconds(server.pid) - before
                rates.append(size / seconds / 1e9)
                print(f"{largest['path']}: {size / 1e9:.2f} GB in {seconds:.2f} s = {rates[-1]:.2f} GB/s; "
                      f"server CPU {cpu / (size / 1e9):.2f} s per GB", flush=True)
            print(f"median {statistics.median(rates):.2f} GB/s over {args.runs} downloads; "
                  f"load average {os.getloadavg()[0]:.1f}")
        finally:
            stop_tree(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())

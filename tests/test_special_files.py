"""Special files, pipes and signals, mostly as real processes: nothing blocks, nothing is replaced.

Every process runs with a timeout and every in-process test that could block runs under an alarm,
so a regression fails here instead of hanging the suite. Devices are made with mknod inside the
test's folder (root only), never taken from /dev: a regression that replaced the output with a
plain file would otherwise destroy the machine's /dev/null.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrplot import files
from lrplot.cli import cli

from processes import LRPLOT, running

CONFIG = "scheduler: cosine\nrun: {epochs: 3}\n"
TIMEOUT = 60


@contextlib.contextmanager
def alarm(seconds: int = 20):
    """Fail, rather than hang, when the block takes longer than ``seconds``."""

    def fail(signum, frame):
        raise TimeoutError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*LRPLOT, *args], capture_output=True, timeout=TIMEOUT, **kwargs)


def device(path: Path, kind: int, major: int, minor: int) -> Path:
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except (PermissionError, AttributeError):
        pytest.skip("making device nodes needs root")
    return path


def leftovers(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.iterdir() if p.name.startswith(".lrplot-")]


# ------------------------------------------------------------------------------------------------
# Reading: configs and metric logs


def test_a_config_written_into_a_fifo_after_lrplot_opens_it(tmp_path):
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    with running(["export", str(fifo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        deadline = time.monotonic() + TIMEOUT
        while True:  # wait for lrplot to open the FIFO (no reader yet: ENXIO)
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() is not None else "timed out"
                time.sleep(0.02)
        os.write(fd, CONFIG.encode())
        os.close(fd)
        out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert json.loads(out)["lr"][0][0] == 0.1


def test_a_config_through_a_pipe():
    proc = run("export", "/dev/stdin", input=CONFIG.encode())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["name"] == "stdin"


@pytest.mark.parametrize("where", ["config", "log"])
def test_a_fifo_nobody_writes_to_is_given_up_on(tmp_path, monkeypatch, where):
    monkeypatch.setattr(files, "IDLE_SECONDS", 0.2)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    config = tmp_path / "c.yaml"
    config.write_text(f"scheduler: plateau\nrun: {{epochs: 3}}\nmetric: {{csv: {fifo}, column: loss}}\n")
    with alarm():
        result = CliRunner().invoke(cli, ["export", str(fifo if where == "config" else config)])
    assert result.exit_code == 2 and "nothing arrived in 0.2 s (a FIFO nobody writes to?)" in result.output, result.output


@pytest.mark.parametrize(("config", "fragment"), [
    ("/dev/zero", "/dev/zero: is a character device; give a file (or a pipe)"),
    ("LOG:/dev/zero", "metric.csv: /dev/zero is a character device"),
])
def test_devices_are_refused_before_they_are_opened(tmp_path, config, fragment):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    if config.startswith("LOG:"):
        path = tmp_path / "c.yaml"
        path.write_text(f"scheduler: plateau\nrun: {{epochs: 3}}\nmetric: {{csv: {config[4:]}, column: loss}}\n")
        config = str(path)
    with alarm():
        result = CliRunner().invoke(cli, ["export", config])
    assert result.exit_code == 2 and fragment in result.output, result.output


def test_an_endless_pipe_is_read_up_to_the_limit():
    # `yes | lrplot export /dev/stdin`: the limit is on the bytes read, whatever the source.
    yes = subprocess.Popen([sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('# yes\\n' * 1000)"], stdout=subprocess.PIPE)
    try:
        proc = run("export", "/dev/stdin", stdin=yes.stdout)
    finally:
        yes.kill()
        yes.wait(TIMEOUT)
    assert proc.returncode == 2 and proc.stderr.decode() == "Error: /dev/stdin: is larger than 1 MiB; configs are limited to 1 MiB\n"


def test_a_socket_or_block_device_is_not_read(tmp_path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.yaml"))
    try:
        result = CliRunner().invoke(cli, ["export", str(tmp_path / "s.yaml")])
        assert result.exit_code == 2 and "is a socket; give a file" in result.output
    finally:
        sock.close()
    block = device(tmp_path / "b.yaml", stat.S_IFBLK, 7, 0)
    result = CliRunner().invoke(cli, ["export", str(block)])
    assert result.exit_code == 2 and "is a block device; give a file" in result.output


def test_a_file_larger_than_its_size_says_is_still_limited(tmp_path, monkeypatch):
    # st_size lies for /proc files and files that grow: the limit is on what is read.
    from lrplot import sources

    path = tmp_path / "c.yaml"
    path.write_text(CONFIG + "#" * 100)
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 64)
    result = CliRunner().invoke(cli, ["export", str(path)])
    assert result.exit_code == 2 and "is larger than 64 bytes; configs are limited to 64 bytes" in result.output


# ------------------------------------------------------------------------------------------------
# Writing


def test_output_through_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "t.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert CliRunner().invoke(cli, ["export", "cosine", "--epochs", "3", "-o", str(link)]).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["lr"][0][0] == 0.1
    assert target.stat().st_mode & 0o777 == 0o640
    dangling = tmp_path / "dangling.svg"
    dangling.symlink_to(tmp_path / "real" / "new.svg")
    assert CliRunner().invoke(cli, ["plot", "cosine", "--epochs", "3", "-o", str(dangling)]).exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "real" / "new.svg").read_bytes().startswith(b"<?xml")
    assert leftovers(tmp_path, tmp_path / "real") == []


def test_output_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    result = CliRunner().invoke(cli, ["export", "cosine", "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 2 and "Too many levels of symbolic links" in result.output


def test_output_to_a_fifo_is_written_into_it(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    with alarm():
        result = CliRunner().invoke(cli, ["export", "cosine", "--epochs", "3", "-o", str(fifo)])
    reader.join(TIMEOUT)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and json.loads(received[0])["lr"][0][0] == 0.1
    assert leftovers(tmp_path) == []


def test_output_to_character_devices_stays_a_device(tmp_path):
    null = device(tmp_path / "null", stat.S_IFCHR, 1, 3)
    assert CliRunner().invoke(cli, ["export", "cosine", "--epochs", "3", "-o", str(null)]).exit_code == 0
    assert CliRunner().invoke(cli, ["plot", "cosine", "--epochs", "3", "-o", str(device(tmp_path / "null.png", stat.S_IFCHR, 1, 3))]).exit_code == 0
    full = device(tmp_path / "full", stat.S_IFCHR, 1, 7)
    proc = run("export", "cosine", "-o", str(full))
    assert proc.returncode == 1 and proc.stderr.decode() == "Error: No space left on device\n"
    assert all(stat.S_ISCHR(os.lstat(p).st_mode) for p in (null, tmp_path / "null.png", full))
    assert leftovers(tmp_path) == []


def test_output_refuses_sockets_and_block_devices(tmp_path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.json"))
    try:
        result = CliRunner().invoke(cli, ["export", "cosine", "-o", str(tmp_path / "s.json")])
        assert result.exit_code == 2 and "is a socket; lrplot writes files, FIFOs and character devices" in result.output
    finally:
        sock.close()
    block = device(tmp_path / "b.json", stat.S_IFBLK, 7, 0)
    result = CliRunner().invoke(cli, ["export", "cosine", "-o", str(block)])
    assert result.exit_code == 2 and "is a block device" in result.output
    assert stat.S_ISBLK(os.lstat(block).st_mode)


@pytest.mark.parametrize("inherited", ["default", "ignored"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_a_long_write_leaves_the_old_file_and_no_temporary(tmp_path, signum, inherited):
    target = tmp_path / "trace.json"
    target.write_text("old")
    # "ignored": the suite was started with the signal ignored (`pytest &`, `nohup pytest`), which
    # a child inherits; tests/processes.running gives lrplot the disposition a terminal would.
    previous = signal.signal(signum, signal.SIG_IGN) if inherited == "ignored" else None
    try:
        with running(["export", "cosine", "--epochs", "3000000", "-o", str(target)], stderr=subprocess.PIPE) as proc:
            deadline = time.monotonic() + TIMEOUT
            # The probe of the folder is an empty temporary file; the export's is the one that grows.
            while not any(p.stat().st_size > 0 for p in tmp_path.glob(".lrplot-*")):
                assert proc.poll() is None and time.monotonic() < deadline, "the export ended before it could be interrupted"
                time.sleep(0.005)
            proc.send_signal(signum)
            proc.wait(TIMEOUT)
            stderr = proc.stderr.read()
    finally:
        if previous is not None:
            signal.signal(signum, previous)
    # Killed by the signal itself (as its sender expects), or, for ^C, click's "Aborted!" and 1.
    assert proc.returncode == (1 if signum == signal.SIGINT else -signum), stderr
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_help_and_listings_into_a_full_device_say_so_in_one_line(tmp_path):
    full = device(tmp_path / "full", stat.S_IFCHR, 1, 7)
    for args in (["--help"], ["list"], ["explain", "cosine"]):
        with open(full, "w") as out:
            proc = subprocess.run([*LRPLOT, *args], stdout=out, stderr=subprocess.PIPE, timeout=TIMEOUT)
        lines = proc.stderr.decode().splitlines()
        assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error:") and "No space left on device" in lines[0], (args, lines)


def test_export_to_a_closed_stdout_is_refused_before_any_work():
    proc = subprocess.run([*LRPLOT, "export", "cosine"], stdout=None, stderr=subprocess.PIPE, timeout=TIMEOUT, pass_fds=(),
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2 and proc.stderr.decode() == "Error: --output: standard output is closed; name a file with -o\n"


def test_export_into_a_pipe_closed_early_is_quiet():
    with running(["export", "cosine", "--epochs", "1000000", "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout.read(100).startswith(b"step,epoch,lr")
        proc.stdout.close()  # `| head -c 100`
        proc.wait(TIMEOUT)
        assert b"Traceback" not in proc.stderr.read()

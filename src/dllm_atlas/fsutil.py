"""Atomic output: a reader (or a process killed half-way) sees the old file or folder or the new
one, never half of either.

* :func:`write_atomic` writes a file through a temporary sibling and a rename. ``durable=True`` (the
  default: README, exports, entry files) also fsyncs it, so it survives a power cut; generated site
  pages, which the next build rewrites anyway, pass ``durable=False`` and the caller commits their
  folder once with :func:`sync_dir`.
* :func:`replace_dir` swaps a freshly built folder into place (``site/``): atomically where the
  kernel can exchange two paths (Linux ``renameat2``), else by two renames.
* An interrupted write (Ctrl-C, SIGTERM) removes its temporary file; after SIGKILL one may remain,
  named ``.<name>.<random>.tmp`` beside the target, which the target itself never is.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# write_atomic's temporary files: ".<name>.<random>.tmp" beside the file they become.
TEMP_SUFFIX = ".tmp"


def temporary_target(name: str) -> str | None:
    """The name a temporary file of :func:`write_atomic` is written for, or None for other names."""
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return None
    target, _, _ = name[1 : -len(TEMP_SUFFIX)].rpartition(".")
    return target or None


def _mode_for(path: Path) -> int:
    """The mode the new file gets: the old file's, else what the umask makes of 0o666."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def write_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp makes it 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sync_dir(folder: Path) -> None:
    """Commit a folder's entries (new names, renames) to disk: one fsync for many files."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def staging_dir(target: Path) -> Path:
    """A new empty folder beside ``target`` to build into; stale ones of killed runs are removed."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))


def replace_dir(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``, the old one (if any) removed afterwards."""
    target = Path(target).resolve()
    new.chmod(_mode_for(target) if target.exists() else 0o777 & ~_umask())
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new)  # now the old folder
        return
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Build every tool from the Go module proxy into the tools cache (idempotent, one build at a time)."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from allmende.errors import AllmendeError
from allmende.toolchain.gocmd import download_module, go_binary, go_path_value, go_version, run_go
from allmende.toolchain.gomod import render_go_mod, staging_replacements
from allmende.toolchain.paths import GO_SOURCES, lock_path, stamp_path, tools_dir, work_dir
from allmende.toolchain.recipes import GO_DIRECTIVE, Recipe, Replacement, recipes
from allmende.toolchain.status import ToolRecord, read_stamp

Progress = Callable[[str], None]

# A cold build of every tool fills about 14 GiB (measured: module cache 3.7, build cache 9.5, tools 0.8).
MIN_FREE_BYTES = 16 * 1024**3


def _heartbeat(say: Progress, name: str) -> Callable[[float], None]:
    return lambda seconds: say(f"still compiling {name} ({seconds:.0f} s)")


def _prefixed(progress: Progress, prefix: str) -> Progress:
    return lambda message: progress(f"{prefix}: {message}")


def _is_built(recipe: Recipe) -> bool:
    return read_stamp(recipe.tool) is not None and all((tools_dir() / name).is_file() for name in recipe.outputs)


def _check_go() -> None:
    go_binary()
    need = tuple(int(p) for p in GO_DIRECTIVE.split("."))
    have = go_version()
    if have < need:
        raise AllmendeError(
            f"Go {'.'.join(map(str, have))} is too old; the tools need Go >= {GO_DIRECTIVE}",
            path="allmende tools build",
            fix=f"install Go >= {GO_DIRECTIVE}, or `export GOTOOLCHAIN=go1.27.3` to let go fetch that toolchain "
            "from the module proxy",
        )


def _existing_parent(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _check_disk() -> None:
    for where in {tools_dir(), go_path_value("GOMODCACHE"), go_path_value("GOCACHE")}:
        free = shutil.disk_usage(_existing_parent(where)).free
        if free < MIN_FREE_BYTES:
            raise AllmendeError(
                f"not enough disk space for the tool build: {free / 1024**3:.1f} GiB free, "
                f"{MIN_FREE_BYTES / 1024**3:.0f} GiB needed",
                path=str(where),
                fix="free disk space (or point ALLMENDE_TOOLS_DIR, GOMODCACHE, GOCACHE elsewhere) and retry",
            )


def _check_proxy() -> None:
    proxy = os.environ.get("GOPROXY", "")
    if proxy.strip() == "off":
        raise AllmendeError(
            "GOPROXY=off: the tools are built from Go modules and need the module proxy",
            path="GOPROXY",
            fix="unset GOPROXY (or set it to the module proxy) and run `allmende tools build` again",
        )


def _copy_own_sources(recipe: Recipe, wrapper: Path) -> None:
    for source, dest in recipe.own_sources:
        target = wrapper / dest
        target.mkdir(parents=True, exist_ok=True)
        for go_file in sorted((GO_SOURCES / source).glob("*.go")):
            shutil.copyfile(go_file, target / go_file.name)


def _make_writable(tree: Path) -> None:
    for root, dirs, files in os.walk(tree):
        for name in (*dirs, *files):
            path = Path(root) / name
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    tree.chmod(tree.stat().st_mode | stat.S_IWUSR)


def _prepare(recipe: Recipe, wrapper: Path, log: Path, say: Progress) -> None:
    extra: tuple[Replacement, ...] = ()
    if recipe.staging_of:
        version = next(r.version for r in recipe.requires if r.module == recipe.staging_of)
        upstream = download_module(recipe.staging_of, version, work_dir(), log)
        extra = staging_replacements(upstream.go_mod.read_text(encoding="utf-8"), version)
    copied = recipe.copied_module
    if copied is not None and not (wrapper / copied.into / "go.mod").is_file():
        say(f"copying {copied.module}@{copied.version}")
        upstream = download_module(copied.module, copied.version, work_dir(), log)
        shutil.copytree(upstream.dir, wrapper / copied.into)
        _make_writable(wrapper / copied.into)
    _copy_own_sources(recipe, wrapper)
    (wrapper / "go.mod").write_text(render_go_mod(recipe, extra), encoding="utf-8")


def _build(recipe: Recipe, say: Progress) -> ToolRecord:
    began = time.monotonic()
    wrapper = work_dir() / recipe.tool
    wrapper.mkdir(parents=True, exist_ok=True)
    log = wrapper / "build.log"
    log.write_text("", encoding="utf-8")
    _prepare(recipe, wrapper, log, say)
    say("resolving modules (go mod tidy)")
    run_go(["mod", "tidy"], wrapper, log)
    if recipe.copied_module is not None:
        say("generating embedded files")
        run_go(["run", recipe.copied_module.generator, *recipe.copied_module.generator_args], wrapper, log)
    out = wrapper / "out"
    (out / "bin").mkdir(parents=True, exist_ok=True)
    for binary in recipe.binaries:
        say(f"compiling {binary.name}")
        started = time.monotonic()
        ldflags = " ".join(("-s", "-w", *binary.ldflags))
        run_go(
            ["build", "-trimpath", "-ldflags", ldflags, "-o", str(out / "bin" / binary.name), binary.package],
            wrapper,
            log,
            heartbeat=_heartbeat(say, binary.name),
        )
        say(f"{binary.name} compiled in {time.monotonic() - started:.0f} s")
    for script in recipe.scripts:
        module = download_module(script.module, script.version, work_dir(), log)
        (out / script.dest).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module.dir / script.path, out / script.dest / script.name)
        (out / script.dest / script.name).chmod(script.mode)
    for binary in recipe.binaries:
        (out / "bin" / binary.name).chmod(0o755)
    size = 0
    for output in recipe.outputs:
        source, target = out / output, tools_dir() / output
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        size += target.stat().st_size
    record = ToolRecord(
        tool=recipe.tool,
        version=recipe.version,
        outputs=recipe.outputs,
        seconds=round(time.monotonic() - began, 1),
        bytes=size,
    )
    stamp = stamp_path(recipe.tool)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(record.model_dump_json(indent=2), encoding="utf-8")
    return record


def build_all(progress: Progress = print, only: Sequence[str] = ()) -> list[ToolRecord]:
    """Build every tool that is not built yet (or only those named); return what is there.

    A second call returns at once. Two builds of the same pins never run together: the second
    waits for the first's lock and then finds the tools built.
    """
    chosen = [r for r in recipes() if not only or r.tool in only]
    unknown = sorted(set(only) - {r.tool for r in recipes()})
    if unknown:
        names = ", ".join(r.tool for r in recipes())
        raise AllmendeError(f"unknown tool(s): {', '.join(unknown)}", fix=f"choose among: {names}")
    if all(_is_built(r) for r in chosen):
        return [rec for r in chosen if (rec := read_stamp(r.tool)) is not None]
    _check_go()
    _check_proxy()
    _check_disk()
    work_dir().mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path()))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        progress(f"another `allmende tools build` is running (lock {lock_path()}); waiting for it")
        lock.acquire()
    records: list[ToolRecord] = []
    try:
        for index, recipe in enumerate(chosen, start=1):
            prefix = f"[{index}/{len(chosen)}] {recipe.tool} {recipe.version}"
            existing = read_stamp(recipe.tool)
            if existing is not None and _is_built(recipe):
                progress(f"{prefix}: already built")
                records.append(existing)
                continue
            progress(f"{prefix}: building")
            record = _build(recipe, _prefixed(progress, prefix))
            progress(f"{prefix}: done in {record.seconds:.0f} s, {record.bytes / 1024**2:.0f} MiB installed")
            records.append(record)
    finally:
        lock.release()
    return records

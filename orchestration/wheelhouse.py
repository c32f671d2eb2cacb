"""`ksm wheelhouse`: every wheel uv.lock pins, for Linux and Windows, in one folder.

CBS Remote Access has no internet: Python packages are installed there from a folder of wheels
the project submits. The pins come from the lock (`uv export`), so the folder holds exactly the
versions and files (hashes) `make setup` installs. pip downloads them per target platform and
Python; pip's own configuration (pip.conf, PIP_* variables) applies as usual.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from orchestration.errors import UserError

SYSTEMS = ("linux", "windows")
KNOWN_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
# Linux wheels: manylinux up to glibc 2.28 (RHEL 8 and newer), best first.
MANYLINUX = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    system: str  # linux | windows
    python: str  # "3.11"

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    @property
    def label(self) -> str:
        return f"{self.system} {self.abi}"

    def platforms(self) -> list[str]:
        return MANYLINUX if self.system == "linux" else ["win_amd64"]

    def tags(self) -> set[Tag]:
        version = tuple(int(p) for p in self.python.split("."))
        return set(cpython_tags(version, [self.abi], self.platforms())) | set(
            compatible_tags(version, self.abi, self.platforms()))

    def marker_environment(self) -> dict[str, str]:
        # pip evaluates markers for the machine it runs on, not for --platform: we do it per target
        windows = self.system == "windows"
        return {
            "implementation_name": "cpython", "implementation_version": f"{self.python}.0",
            "os_name": "nt" if windows else "posix", "platform_machine": "AMD64" if windows else "x86_64",
            "platform_python_implementation": "CPython", "platform_release": "", "platform_version": "",
            "platform_system": "Windows" if windows else "Linux",
            "python_version": self.python, "python_full_version": f"{self.python}.0",
            "sys_platform": "win32" if windows else "linux",
        }


def supported_pythons(requires_python: str) -> list[str]:
    """The minor versions `requires-python` allows, of those with CPython releases."""
    spec = SpecifierSet(requires_python)
    return [v for v in KNOWN_PYTHONS if spec.contains(f"{v}.0")]


def make_targets(platform: str, pythons: list[str]) -> list[Target]:
    systems = SYSTEMS if platform == "both" else (platform,)
    return [Target(s, p) for s in systems for p in pythons]


# ---------------------------------------------------------------- requirements


@dataclass
class Requirement:
    name: str
    version: str
    marker: str | None
    hashes: list[str] = field(default_factory=list)

    def applies(self, target: Target) -> bool:
        return self.marker is None or Marker(self.marker).evaluate(target.marker_environment())

    def line(self, with_marker: bool = True) -> str:
        head = f"{self.name}=={self.version}"
        if with_marker and self.marker:
            head += f" ; {self.marker}"
        return " \\\n    ".join([head] + [f"--hash={h}" for h in self.hashes])


_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.+?))?\s*$")


def parse_requirements(text: str) -> list[Requirement]:
    """Pinned requirements as `uv export` writes them: `name==v ; marker \\` then `--hash=` lines."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for raw in joined.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        hashes = re.findall(r"--hash=(\S+)", line)
        line = re.sub(r"\s*--hash=\S+", "", line).strip()
        match = _REQUIREMENT.match(line)
        if not match:
            raise UserError(f"unexpected line in the exported requirements: {line!r}")
        found.append(Requirement(match[1], match[2], match[3], hashes))
    return found


def lock_files(lock_text: str) -> dict[tuple[str, str], dict]:
    """Per (name, version) in uv.lock: the file names of its wheels and whether it has an sdist."""
    files = {}
    for package in tomllib.loads(lock_text).get("package", []):
        wheels = [w["url"].rsplit("/", 1)[-1] for w in package.get("wheels", []) if "url" in w]
        files[(canonicalize_name(package["name"]), package.get("version", ""))] = {
            "wheels": wheels, "sdist": "sdist" in package}
    return files


def has_wheel_for(wheels: list[str], target: Target) -> bool:
    tags = target.tags()
    return any(parse_wheel_filename(name)[3] & tags for name in wheels)


def sdist_only(reqs: list[Requirement], lock: dict, targets: list[Target]) -> list[Requirement]:
    """Requirements some target needs but the lock lists no fitting wheel for: built from the sdist."""
    out = []
    for req in reqs:
        wheels = lock.get((canonicalize_name(req.name), req.version), {}).get("wheels", [])
        if any(req.applies(t) and not has_wheel_for(wheels, t) for t in targets):
            out.append(req)
    return out


# ---------------------------------------------------------------- the package list


def wheel_licence(path: Path) -> str:
    """License-Expression, License or the licence classifiers of a wheel's METADATA ('' if none)."""
    with zipfile.ZipFile(path) as wheel:
        name = next((n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            return ""
        headers = wheel.read(name).decode("utf-8", "replace").split("\n\n", 1)[0]
    fields: dict[str, list[str]] = {}
    for line in headers.splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value.strip())
    if fields.get("License-Expression"):
        return fields["License-Expression"][0]
    licence = (fields.get("License") or [""])[0]
    if licence and len(licence) <= 60 and "copyright" not in licence.lower():  # not the licence's text
        return licence
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in fields.get("Classifier", []) if c.startswith("License ::")]
    return "; ".join(classifiers) or (licence[:60] + "..." if licence else "")


def write_package_list(dest: Path, rows: list[dict], targets: list[Target]) -> None:
    """packages.csv and PACKAGES.md: name, version, use (runtime or tests), licence, targets and files."""
    columns = ["name", "version", "use", "licence", "targets", "files"]
    rows = sorted(rows, key=lambda r: canonicalize_name(r["name"]))
    with (dest / "packages.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["# Python packages for the Kansrijke Start monitor", "",
             f"{len(rows)} packages; install with `pip install --no-index --find-links <this folder> "
             "-r requirements.txt` (requirements-dev.txt adds the test tools; see the README, "
             "'Running inside CBS Remote Access').", "",
             f"Targets ('all'): {', '.join(t.label for t in targets)}.", "",
             "| package | version | use | licence | targets | files |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [str(r[c]).replace("|", "/") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    (dest / "PACKAGES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- tools


def _script(folder: Path, name: str) -> Path:
    # a venv's programs: bin/<name> on POSIX, Scripts\<name>.exe on Windows
    for candidate in (folder / "bin" / name, folder / "Scripts" / f"{name}.exe"):
        if candidate.is_file():
            return candidate
    return folder / "bin" / name


def find_uv(project: Path) -> str:
    for candidate in (os.environ.get("UV"), str(_script(project / ".tools", "uv")), shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise UserError("uv not found: run `make setup` (it installs uv into .tools) or put uv on PATH")


def find_pip(project: Path) -> list[str]:
    """A Python with pip: this one, else the tools venv `make setup` made."""
    for python in (sys.executable, str(_script(project / ".tools", "python"))):
        if Path(python).is_file() and subprocess.run([python, "-m", "pip", "--version"],
                                                     capture_output=True).returncode == 0:
            return [python, "-m", "pip"]
    raise UserError("pip not found (neither in this environment nor in .tools): run `make setup`")


def _run(cmd: list[str], what: str, on_line=None) -> None:
    """Run a tool; its last ERROR line (or its last line) becomes one UserError when it fails."""
    # unbuffered: pip's stdout and stderr share the pipe, and buffered lines would be cut by the other's
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace", env=env)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if on_line:
            on_line(line.rstrip())
    if proc.wait() != 0:
        errors = [ln for ln in lines if ln.startswith(("ERROR", "error"))] or [ln for ln in lines if ln] or ["?"]
        raise UserError(f"{what} failed: {errors[-1].strip()}")


# ---------------------------------------------------------------- the build


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def collected(pip_line: str) -> str | None:
    """The package a line of `pip download` starts on: "Collecting name==v" from an index,
    "Processing <file>.whl" from a local one (find-links, file:// indexes)."""
    words = pip_line.split()
    if len(words) < 2 or words[0] not in ("Collecting", "Processing"):
        return None
    if words[0] == "Collecting":
        return words[1]
    return "==".join(words[1].replace("\\", "/").rsplit("/", 1)[-1].split("-")[:2])


def _download(pip: list[str], reqs: list[Requirement], target: Target, dest: Path, say) -> None:
    wanted = [r for r in reqs if r.applies(target)]
    listing = dest / f".requirements-{target.system}-{target.abi}.txt"
    listing.write_text("\n".join(r.line(with_marker=False) for r in wanted) + "\n", encoding="utf-8")
    cmd = [*pip, "download", "--no-deps", "--only-binary=:all:", "--implementation", "cp",
           "--python-version", target.python, "--abi", target.abi, "-d", str(dest), "-r", str(listing)]
    for platform in target.platforms():
        cmd += ["--platform", platform]
    say(f"{target.label}: {len(wanted)} packages")
    current = {"name": "?", "n": 0}

    def progress(line: str) -> None:
        name = collected(line)
        if name:
            current["n"] += 1
            current["name"] = name
            say(f"  {target.label} {current['n']}/{len(wanted)} {current['name']}")

    try:
        _run(cmd, f"download for {target.label}", progress)
    except UserError as exc:
        name = current["name"]  # the package pip was on, unless its error names it already
        raise UserError(str(exc) if name == "?" or name in str(exc) else f"{exc} (package {name})") from None
    finally:
        listing.unlink(missing_ok=True)


def export_requirements(uv: str, project: Path, dev: bool) -> list[Requirement]:
    cmd = [uv, "export", "--frozen", "--no-emit-project", "--format", "requirements-txt", "--project", str(project)]
    exported = subprocess.run(cmd + ([] if dev else ["--no-dev"]), capture_output=True, text=True)
    if exported.returncode != 0:
        raise UserError(f"uv export failed: {(exported.stderr.strip().splitlines() or ['?'])[-1]}")
    return parse_requirements(exported.stdout)


def build_wheelhouse(project: Path, dest: Path, platform: str = "both", pythons: list[str] | None = None,
                     tests: bool = True, say=print) -> dict:
    lock = project / "uv.lock"
    if not lock.is_file():
        raise UserError(f"no uv.lock in {project}: the wheelhouse pins come from the lock")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    pythons = pythons or supported_pythons(pyproject["project"]["requires-python"])
    targets = make_targets(platform, pythons)
    uv, pip = find_uv(project), find_pip(project)
    dest.mkdir(parents=True, exist_ok=True)

    runtime = export_requirements(uv, project, dev=False)
    # the test tools (pytest, the dev group) too: the test tier runs inside Remote Access as well
    reqs = export_requirements(uv, project, dev=True) if tests else runtime
    built = sdist_only(reqs, lock_files(lock.read_text(encoding="utf-8")), targets)
    say(f"{len(runtime)} pinned packages from uv.lock ({len(reqs) - len(runtime)} more for the tests); "
        f"targets: {', '.join(t.label for t in targets)}")

    for req in built:  # once, here; usable everywhere only when the result is pure Python
        say(f"building {req.name}=={req.version} from its sdist (no wheel in the lock)")
        before = set(dest.glob("*.whl"))
        _run([*pip, "wheel", "--no-deps", "--no-binary", req.name, "-w", str(dest), f"{req.name}=={req.version}"],
             f"building {req.name}")
        for wheel in set(dest.glob("*.whl")) - before:
            if "none-any" not in wheel.name:
                raise UserError(f"{req.name} has no wheel for every target and is not pure Python ({wheel.name})")
            req.hashes.append(_sha256(wheel))
    for target in targets:
        _download(pip, [r for r in reqs if r not in built], target, dest, say)

    say("building the project's own wheel")
    _run([uv, "build", "--wheel", "--no-build-logs", "--out-dir", str(dest), str(project)], "uv build")
    hashes = {(r.name, r.version): r.hashes for r in reqs}  # with those of wheels built here
    for name, chosen in (("requirements.txt", runtime), ("requirements-dev.txt", reqs if tests else [])):
        if chosen:
            (dest / name).write_text(
                "# pinned from uv.lock by `ksm wheelhouse`; the project's wheel is installed after these\n"
                + "\n".join(Requirement(r.name, r.version, r.marker, hashes[(r.name, r.version)]).line()
                             for r in chosen) + "\n", encoding="utf-8")
    rows = package_rows(reqs, targets, dest, runtime)
    write_package_list(dest, rows + [r for r in [project_row(dest, targets)] if r], targets)
    listed = {f for row in rows for f in row["files"].split()}
    for wheel in sorted(dest.glob("*.whl")):  # from an earlier lock: pip ignores them, CBS need not see them
        if wheel.name not in listed and not wheel.name.startswith("kansrijke_start_monitor-"):
            say(f"not pinned by uv.lock (remove it before submitting): {wheel.name}")
    wheels = list(dest.glob("*.whl"))
    return {"packages": len(reqs), "wheels": len(wheels), "bytes": sum(w.stat().st_size for w in wheels),
            "built_from_sdist": [f"{r.name}=={r.version}" for r in built]}


def _targets_text(chosen: list[Target], targets: list[Target]) -> str:
    return "all" if chosen == targets else " ".join(t.label.replace(" ", "-") for t in chosen)


def package_rows(reqs: list[Requirement], targets: list[Target], dest: Path,
                 runtime: list[Requirement]) -> list[dict]:
    """One row per pinned package: the wheels of it in dest and the targets it is for."""
    by_name: dict[str, list[Path]] = {}
    for wheel in dest.glob("*.whl"):
        name, version, _, _ = parse_wheel_filename(wheel.name)
        by_name.setdefault(f"{name}=={version}", []).append(wheel)  # normalised, as below
    needed = {(r.name, r.version) for r in runtime}
    rows = []
    for req in reqs:
        wheels = sorted(by_name.get(f"{canonicalize_name(req.name)}=={Version(req.version)}", []))
        rows.append({"name": req.name, "version": req.version,
                     "use": "runtime" if (req.name, req.version) in needed else "tests",
                     "licence": wheel_licence(wheels[0]) if wheels else "",
                     "targets": _targets_text([t for t in targets if req.applies(t)], targets),
                     "files": " ".join(w.name for w in wheels)})
    return rows


def project_row(dest: Path, targets: list[Target]) -> dict | None:
    own = sorted(dest.glob("kansrijke_start_monitor-*.whl"))
    if not own:
        return None
    name, version, _, _ = parse_wheel_filename(own[-1].name)
    return {"name": str(name), "version": str(version), "use": "runtime", "licence": "(this project)",
            "targets": "all", "files": own[-1].name}

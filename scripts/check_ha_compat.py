"""Check that every Home Assistant name the yeastar integration uses exists upstream.

Reads the integration's imports (AST only) and looks each name up in two Home Assistant
sources, also read as source text: the installed package and the newest release's wheel
from PyPI (downloaded into .cache/ha-wheels/, reused while it is the newest). Nothing from
Home Assistant is imported, so both versions are checked the same way.

Exit status 1 when a name is missing in either version, when pbx/ imports Home Assistant,
or when the newest wheel cannot be downloaded (set YEASTAR_SKIP_NEWEST_HA=1 to check only
the installed version).
"""

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
import importlib.metadata
import importlib.util
import keyword
import os
from pathlib import Path
import re
import subprocess
import sys
from typing import Literal
import zipfile

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_DIR = REPO_ROOT / "custom_components" / "yeastar"
WHEEL_CACHE_DIR = REPO_ROOT / ".cache" / "ha-wheels"
SKIP_NEWEST_ENV = "YEASTAR_SKIP_NEWEST_HA"
HA_PACKAGE = "homeassistant"
HA_FREE_SUBPACKAGE = "pbx"
DEPRECATED_PREFIX = "_DEPRECATED_"
NEWEST_PYTHON = "3.14.2"

type Status = Literal["present", "missing", "deprecated"]
type CommandRunner = Callable[[list[str]], subprocess.CompletedProcess[str]]


@dataclass(frozen=True, order=True)
class Location:
    """A place in the integration: a path relative to its folder, and a line."""

    file: str
    line: int

    def __str__(self) -> str:
        """Render as `file:line`."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Reference:
    """A use of Home Assistant: a module that must exist, then attributes looked up in it.

    Each attribute is a submodule or a module-level name; the lookup stops at the first
    name that is not a module (attributes of classes and objects are not checked).
    """

    module: tuple[str, ...]
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class ForbiddenImport:
    """A Home Assistant import inside the subpackage that must stay free of it."""

    location: Location
    module: str


@dataclass
class Usage:
    """Everything the integration takes from Home Assistant."""

    references: dict[Reference, set[Location]] = field(default_factory=dict)
    forbidden: list[ForbiddenImport] = field(default_factory=list)

    def add(self, reference: Reference, location: Location) -> None:
        """Record one use of a reference."""
        self.references.setdefault(reference, set()).add(location)


@dataclass(frozen=True)
class ModuleNames:
    """The module-level names of one module, and how they were found."""

    names: frozenset[str]
    fallback_reason: str | None = None

    def deprecated(self, name: str) -> bool:
        """Tell whether `name` exists only as a deprecated alias (`_DEPRECATED_<name>`)."""
        return f"{DEPRECATED_PREFIX}{name}" in self.names


@dataclass
class SourceResult:
    """What one Home Assistant version says about the integration's references."""

    label: str
    checked: dict[str, set[Location]] = field(default_factory=dict)
    missing: dict[str, set[Location]] = field(default_factory=dict)
    deprecated: dict[str, set[Location]] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)


class WheelDownloadError(Exception):
    """The newest Home Assistant wheel could not be downloaded."""


class HaSource:
    """Home Assistant's source files, by their path inside the package's parent folder."""

    def __init__(
        self, label: str, exists: Callable[[str], bool], read: Callable[[str], bytes]
    ) -> None:
        """Wrap a file-exists test and a file reader over paths like `homeassistant/core.py`."""
        self.label = label
        self._exists = exists
        self._read = read
        self._modules: dict[str, ModuleNames] = {}
        self.fallbacks: dict[str, str] = {}

    def module_file(self, module: str) -> str | None:
        """Return the path of a module's source (`a/b.py` or `a/b/__init__.py`), if any."""
        base = module.replace(".", "/")
        return next(
            (
                path
                for path in (f"{base}.py", f"{base}/__init__.py")
                if self._exists(path)
            ),
            None,
        )

    def has_module(self, module: str) -> bool:
        """Tell whether a module (file or package) exists."""
        return self.module_file(module) is not None

    def module_names(self, module: str) -> ModuleNames:
        """Return the module-level names of a module (parsed once; none if it is absent)."""
        if module not in self._modules:
            path = self.module_file(module)
            names = (
                module_level_names(self._read(path))
                if path
                else ModuleNames(frozenset())
            )
            if path and names.fallback_reason:
                self.fallbacks[path] = names.fallback_reason
            self._modules[module] = names
        return self._modules[module]


def directory_source(package_parent: Path, label: str) -> HaSource:
    """Read Home Assistant from a folder that holds the `homeassistant` package."""
    return HaSource(
        label,
        lambda path: (package_parent / path).is_file(),
        lambda path: (package_parent / path).read_bytes(),
    )


def wheel_source(wheel: zipfile.ZipFile, label: str) -> HaSource:
    """Read Home Assistant straight from an open wheel."""
    members = frozenset(wheel.namelist())
    return HaSource(label, members.__contains__, wheel.read)


def installed_source() -> HaSource:
    """Read the Home Assistant installed next to this interpreter, without importing it."""
    spec = importlib.util.find_spec(HA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: no `{HA_PACKAGE}` package installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    return directory_source(package_dir.parent, importlib.metadata.version(HA_PACKAGE))


def wheel_version(wheel: Path) -> str:
    """Return the version in a wheel's file name (`name-version-tags.whl`)."""
    return wheel.name.split("-")[1]


# --- Module-level names of Home Assistant modules -----------------------------------


def module_level_names(source: bytes) -> ModuleNames:
    """Find the names a module defines at module level (AST, regex scan if unparseable)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        reason = f"line {err.lineno}: {err.msg}"
        return ModuleNames(
            regex_module_names(source.decode("utf-8", "replace")), reason
        )
    return ModuleNames(frozenset(_bound_names(tree.body)))


def _bound_names(statements: Iterable[ast.stmt]) -> Iterator[str]:
    """Yield the names bound by module-level statements, also inside if/try/with blocks.

    The body of `if TYPE_CHECKING:` is skipped: those names do not exist at run time.
    """
    for statement in statements:
        match statement:
            case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
                yield statement.name
            case ast.Assign(targets=targets):
                for target in targets:
                    yield from _target_names(target)
            case ast.AnnAssign(target=target) | ast.AugAssign(target=target):
                yield from _target_names(target)
            case ast.TypeAlias(name=ast.Name(id=name)):
                yield name
            case ast.Import(names=aliases):
                for alias in aliases:
                    yield alias.asname or alias.name.split(".")[0]
            case ast.ImportFrom(names=aliases):
                yield from (alias.asname or alias.name for alias in aliases)
            case ast.If(test=test, body=body, orelse=orelse):
                if not _is_type_checking(test):
                    yield from _bound_names(body)
                yield from _bound_names(orelse)
            case ast.Try() | ast.TryStar():
                for block in (statement.body, statement.orelse, statement.finalbody):
                    yield from _bound_names(block)
                for handler in statement.handlers:
                    yield from _bound_names(handler.body)
            case ast.With(body=body) | ast.AsyncWith(body=body):
                yield from _bound_names(body)


def _target_names(target: ast.expr) -> Iterator[str]:
    """Yield the plain names an assignment target binds."""
    match target:
        case ast.Name(id=name):
            yield name
        case ast.Tuple(elts=elements) | ast.List(elts=elements):
            for element in elements:
                yield from _target_names(element)
        case ast.Starred(value=value):
            yield from _target_names(value)


def _is_type_checking(test: ast.expr) -> bool:
    """Tell whether an `if` test is `TYPE_CHECKING` or `typing.TYPE_CHECKING`."""
    match test:
        case ast.Name(id="TYPE_CHECKING") | ast.Attribute(attr="TYPE_CHECKING"):
            return True
    return False


_DEFINITION = re.compile(r"^(?:async\s+def|def|class|type)\s+(\w+)", re.MULTILINE)
_ASSIGNMENT = re.compile(r"^(\w+)\s*(?::(?!=)|=(?!=))", re.MULTILINE)
_IMPORT = re.compile(r"^import\s+([^\n]+)", re.MULTILINE)
_FROM_IMPORT = re.compile(r"^from\s+[\w.]+\s+import\s+(\([^)]*\)|[^\n]+)", re.MULTILINE)
_COMMENT = re.compile(r"#[^\n]*")


def regex_module_names(text: str) -> frozenset[str]:
    """Find top-level names with a line scan, for modules the AST parser cannot read.

    Sees unindented `def`, `class`, `type`, `NAME =`, `NAME:` and import lines only.
    """
    names = {match[1] for match in _DEFINITION.finditer(text)}
    names.update(
        match[1]
        for match in _ASSIGNMENT.finditer(text)
        if not keyword.iskeyword(match[1])
    )
    for match in _IMPORT.finditer(text):
        names.update(name.split(".")[0] for name in _imported_names(match[1]))
    for match in _FROM_IMPORT.finditer(text):
        names.update(_imported_names(match[1].strip("()")))
    return frozenset(names)


def _imported_names(clause: str) -> Iterator[str]:
    """Yield the names an import clause (`a as b, c`) binds; dotted for plain imports."""
    for item in _COMMENT.sub("", clause).replace("\\", "").split(","):
        words = item.split()
        if words:
            yield words[-1]


# --- What the integration uses ------------------------------------------------------


def collect_usage(integration_dir: Path) -> Usage:
    """Collect every Home Assistant reference in the integration's Python files."""
    usage = Usage()
    for path in sorted(integration_dir.rglob("*.py")):
        relative = path.relative_to(integration_dir)
        collect_file_usage(
            path.read_text(encoding="utf-8"),
            relative.as_posix(),
            usage,
            ha_allowed=relative.parts[0] != HA_FREE_SUBPACKAGE,
        )
    return usage


def collect_file_usage(
    source: str, file: str, usage: Usage, *, ha_allowed: bool
) -> None:
    """Add one file's Home Assistant references (or forbidden imports) to `usage`."""
    tree = ast.parse(source, filename=file)
    bindings: dict[str, Reference] = {}
    for node in ast.walk(tree):
        for imported in _imports(node):
            location = Location(file, imported.line)
            if not ha_allowed:
                module = ".".join(imported.reference.module)
                usage.forbidden.append(ForbiddenImport(location, module))
                continue
            usage.add(imported.reference, location)
            if imported.bound_name is not None:
                bindings[imported.bound_name] = imported.bound_to
    if bindings:
        _AttributeCollector(bindings, file, usage).visit(tree)


@dataclass(frozen=True)
class _Import:
    """One imported Home Assistant module or name, and the local name it binds."""

    reference: Reference
    line: int
    bound_name: str | None
    bound_to: Reference


def _imports(node: ast.AST) -> Iterator[_Import]:
    """Yield the Home Assistant modules and names an import statement imports."""
    match node:
        case ast.Import(names=aliases):
            for alias in aliases:
                parts = tuple(alias.name.split("."))
                if parts[0] != HA_PACKAGE:
                    continue
                if alias.asname:
                    yield _Import(
                        Reference(parts), alias.lineno, alias.asname, Reference(parts)
                    )
                else:
                    # `import homeassistant.a.b` binds `homeassistant`; uses spell out a.b.
                    root = Reference((HA_PACKAGE,))
                    yield _Import(Reference(parts), alias.lineno, HA_PACKAGE, root)
        case ast.ImportFrom(module=str(module), level=0) if (
            module.split(".")[0] == HA_PACKAGE
        ):
            parts = tuple(module.split("."))
            for alias in node.names:
                if alias.name == "*":
                    yield _Import(
                        Reference(parts), alias.lineno, None, Reference(parts)
                    )
                    continue
                reference = Reference(parts, (alias.name,))
                yield _Import(
                    reference, alias.lineno, alias.asname or alias.name, reference
                )


class _AttributeCollector(ast.NodeVisitor):
    """Record attribute chains (`dr.async_get`) rooted at names bound to Home Assistant."""

    def __init__(
        self, bindings: Mapping[str, Reference], file: str, usage: Usage
    ) -> None:
        """Remember which names stand for which references, and where to record uses."""
        self._bindings = bindings
        self._file = file
        self._usage = usage

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """Record a chain rooted at a bound name, or keep looking inside the expression."""
        attributes: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            attributes.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            self.generic_visit(node)
            return
        base = self._bindings.get(current.id)
        if base is not None:
            reference = Reference(
                base.module, base.attributes + tuple(reversed(attributes))
            )
            self._usage.add(reference, Location(self._file, node.lineno))


# --- Checking against a Home Assistant version ---------------------------------------


def check_usage(
    references: Mapping[Reference, set[Location]], source: HaSource
) -> SourceResult:
    """Look every reference up in one Home Assistant version."""
    result = SourceResult(source.label)
    for reference, locations in sorted(references.items()):
        status, name = resolve(reference, source)
        result.checked.setdefault(name, set()).update(locations)
        if status != "present":
            findings = result.missing if status == "missing" else result.deprecated
            findings.setdefault(name, set()).update(locations)
    result.fallbacks = dict(source.fallbacks)
    return result


def resolve(reference: Reference, source: HaSource) -> tuple[Status, str]:
    """Return (`present`, `missing` or `deprecated`; the dotted name that decided it)."""
    module = reference.module[0]
    for part in reference.module[1:]:
        module = f"{module}.{part}"
        if not source.has_module(module):
            return "missing", module
    for attribute in reference.attributes:
        dotted = f"{module}.{attribute}"
        if source.has_module(dotted):
            module = dotted
            continue
        names = source.module_names(module)
        if attribute in names.names:
            return "present", dotted
        return ("deprecated" if names.deprecated(attribute) else "missing"), dotted
    return "present", module


# --- Newest release ------------------------------------------------------------------

_PIP_WHEEL = re.compile(
    r"^\s*(?:Saved|File was already downloaded)\s+(.*homeassistant-\S+\.whl)\s*$",
    re.MULTILINE,
)


def download_newest_wheel(dest: Path, run: CommandRunner | None = None) -> Path:
    """Download (or reuse from `dest`) the newest Home Assistant wheel; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        HA_PACKAGE,
        "--no-deps",
        "--python-version",
        NEWEST_PYTHON,
        "--only-binary",
        ":all:",
        "--disable-pip-version-check",
        "--no-cache-dir",  # the wheel is kept in `dest`, inside the repository
        "--progress-bar",
        "off",
        "--retries",
        "1",
        "-d",
        str(dest),
    ]
    dest.mkdir(parents=True, exist_ok=True)
    completed = (run or _run_command)(command)
    if completed.returncode != 0:
        details = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise WheelDownloadError(
            f"pip download exited with {completed.returncode}: " + " | ".join(details)
        )
    found = _PIP_WHEEL.search(completed.stdout)
    if found is None:
        raise WheelDownloadError(f"pip download named no homeassistant wheel in {dest}")
    wheel = dest / Path(found[1]).name
    if not wheel.is_file():
        raise WheelDownloadError(f"pip download named {wheel}, which does not exist")
    return wheel


def _run_command(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its text output."""
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


# --- Report --------------------------------------------------------------------------


def _where(locations: Iterable[Location]) -> str:
    """Render locations as `used in a.py:1, b.py:2`."""
    return "used in " + ", ".join(str(location) for location in sorted(locations))


def format_report(usage: Usage, results: list[SourceResult]) -> tuple[list[str], bool]:
    """Render findings, one per line, with a summary last; return (lines, all good)."""
    lines = [
        f"FORBIDDEN: {item.location} imports {item.module} "
        f"({HA_FREE_SUBPACKAGE}/ must not import Home Assistant)"
        for item in sorted(usage.forbidden)
    ]
    checked: set[str] = set()
    missing = 0
    for result in results:
        lines.extend(
            f"note: {result.label}: {path} is not parseable by Python "
            f"{sys.version_info.major}.{sys.version_info.minor} ({reason}); "
            "used a regex scan of its top-level lines"
            for path, reason in sorted(result.fallbacks.items())
        )
        lines.extend(
            f"DEPRECATED in {result.label}: {name} ({_where(locations)})"
            for name, locations in sorted(result.deprecated.items())
        )
        lines.extend(
            f"MISSING in {result.label}: {name} ({_where(locations)})"
            for name, locations in sorted(result.missing.items())
        )
        checked.update(result.checked)
        missing += len(result.missing)
    labels = " and ".join(result.label for result in results)
    problems = []
    if missing:
        problems.append(f"{missing} missing")
    if usage.forbidden:
        problems.append(f"{len(usage.forbidden)} forbidden in {HA_FREE_SUBPACKAGE}/")
    verdict = ", ".join(problems) if problems else "all present"
    noun = "name" if len(checked) == 1 else "names"
    lines.append(f"checked {len(checked)} {noun} against {labels}: {verdict}")
    return lines, not problems


def run_check(
    integration_dir: Path, installed: HaSource, newest_wheel: Path | None
) -> tuple[list[str], bool]:
    """Check the integration against the installed version and, if given, a wheel."""
    usage = collect_usage(integration_dir)
    results = [check_usage(usage.references, installed)]
    if newest_wheel is not None:
        with zipfile.ZipFile(newest_wheel) as wheel:
            newest = wheel_source(wheel, wheel_version(newest_wheel))
            results.append(check_usage(usage.references, newest))
    return format_report(usage, results)


def main() -> int:
    """Run the check for this repository; print the report; return the exit status."""
    newest_wheel: Path | None = None
    if os.environ.get(SKIP_NEWEST_ENV) == "1":
        print(f"{SKIP_NEWEST_ENV}=1: checking only the installed Home Assistant")
    else:
        try:
            newest_wheel = download_newest_wheel(WHEEL_CACHE_DIR)
        except WheelDownloadError as err:
            print(
                f"error: cannot download the newest Home Assistant wheel ({err}); "
                f"set {SKIP_NEWEST_ENV}=1 to check only the installed version",
                file=sys.stderr,
            )
            return 1
    lines, ok = run_check(INTEGRATION_DIR, installed_source(), newest_wheel)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

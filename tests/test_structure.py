"""The package's shape: what learners import stays apart from what authors and CI run."""
import ast

from helpers import paths

HELPERS = paths.ROOT / "helpers"
AUTHORING = HELPERS / "authoring"


def imported_modules(path) -> set[str]:
    """Every module a file imports, relative imports resolved against the helpers package."""
    package = ".".join(path.relative_to(paths.ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_learner_code_never_imports_authoring_code():
    learner = [p for p in HELPERS.rglob("*.py") if AUTHORING not in p.parents]
    assert len(learner) > 20
    for path in learner:
        offending = sorted(m for m in imported_modules(path) if m.startswith("helpers.authoring"))
        assert offending == [], f"{path.relative_to(paths.ROOT)} imports {offending}"


def test_the_import_reader_sees_relative_and_absolute_imports():
    modes = imported_modules(HELPERS / "modes.py")
    assert {"helpers.session", "helpers.meter", "helpers.lifecycle"} <= modes
    build = imported_modules(AUTHORING / "build.py")
    assert {"helpers.authoring.navigation", "helpers.recordings"} <= build
    server = imported_modules(AUTHORING / "standin" / "server.py")
    assert "helpers.authoring.standin.chat" in server and "helpers.refusals" in server


def test_the_stand_in_keeps_one_module_per_endpoint():
    endpoints = {"chat", "responses", "completions", "embeddings", "moderations", "images", "audio", "catalogue"}
    assert endpoints <= {p.stem for p in (AUTHORING / "standin").glob("*.py")}
    assert max(len(p.read_text().splitlines()) for p in (AUTHORING / "standin").glob("*.py")) < 300


def test_the_package_says_it_is_typed():
    assert (HELPERS / "py.typed").is_file()


def test_the_kits_model_names_are_written_in_the_catalogue_alone():
    """A lesson's model changes in helpers/models.py and nowhere else in the package."""
    from helpers import models

    names = set(models.KIT_MODELS) | {models.INSTRUCT}
    written = [f"{path.relative_to(paths.ROOT)}:{node.lineno} {node.value}"
               for path in HELPERS.rglob("*.py") if path.name != "models.py"
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names]
    assert written == [], "write these as helpers.models names:\n" + "\n".join(written)


def listed_modules(package) -> set[str]:
    """The modules and folders a package's docstring lists, one per line: `    name   what it does`."""
    import re

    return {m.group(1) for m in re.finditer(r"^ {4,}(\w+)/?\s{2,}\S", package.__doc__, re.M)}


def test_each_package_lists_every_module_it_holds():
    """A newcomer finds every module's job in its package's docstring, the kit's layers in two lists."""
    import helpers
    import helpers.authoring

    for package, folder in ((helpers, HELPERS), (helpers.authoring, AUTHORING)):
        held = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | \
               {p.name for p in folder.iterdir() if (p / "__init__.py").is_file() and p.name != "_data"}
        assert listed_modules(package) == held, folder


def names_lessons_use() -> dict[str, set[str]]:
    """Kit module -> the names lesson code takes from it (`from helpers.x import n`, `x.n` after importing x)."""
    import importlib

    import nbformat

    from helpers.authoring import navigation

    used: dict[str, set[str]] = {}
    for path in navigation.lessons():
        modules: dict[str, str] = {}  # a name lesson code binds to a kit module -> the module
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                    for alias in node.names:
                        full = f"{node.module}.{alias.name}"
                        try:
                            importlib.import_module(full)
                            modules[alias.asname or alias.name] = full
                        except ImportError:  # a name, not a module
                            used.setdefault(node.module or "", set()).add(alias.name)
                elif isinstance(node, ast.Import):
                    modules |= {a.asname or a.name: a.name for a in node.names if a.name.startswith("helpers")}
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                    used.setdefault(modules[node.value.id], set()).add(node.attr)
    return used


def test_lessons_use_only_the_public_names_each_kit_module_lists():
    import importlib

    used = names_lessons_use()
    assert {"helpers.tokens", "helpers.prices", "helpers.exercises.lesson01"} <= set(used)
    for module, names in used.items():
        public = getattr(importlib.import_module(module), "__all__", None)
        assert public is not None, f"{module} lists no public names (__all__)"
        assert names <= set(public), f"lessons use {sorted(names - set(public))} of {module}, which it does not list"
        missing = [name for name in public if not hasattr(importlib.import_module(module), name)]
        assert missing == [], f"{module}.__all__ names what it does not define: {missing}"

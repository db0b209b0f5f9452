"""The test suite's own dependencies: what `scripts/setup.sh test` installs.

Configuring and building qidcm needs none of them: CMake asks the case
drivers for their case names (`--list`), and a driver must answer without
importing any test-only Python package. The drivers therefore take numpy,
pydicom and friends through lazy(), which imports on first use. When the
package is missing, that first use ends the test with one line naming the
package, so a missing package is a failed test, never a missing one.

Usage as a program: testdeps.py [--interop DIR]
    checks every dependency below and prints one line per missing one, with
    the Debian package (or npm command) that provides it; exit 1 if any is
    missing. CTest runs it as the test `deps`.
"""
import importlib
import os
import shutil
import subprocess
import sys

# Python module -> Debian package
PYTHON_MODULES = {"numpy": "python3-numpy", "pydicom": "python3-pydicom", "nibabel": "python3-nibabel",
                  "pytest": "python3-pytest"}
# Program -> Debian package
PROGRAMS = {
    "dciodvfy": "dicom3tools",
    "dcmdump": "dcmtk", "dcmconv": "dcmtk", "dcmcrle": "dcmtk", "dcmdrle": "dcmtk",
    "dcmcjpls": "dcmtk", "dcmdjpls": "dcmtk",
    "opj_compress": "libopenjp2-tools", "opj_decompress": "libopenjp2-tools",
    "java": "pixelmed-apps", "node": "nodejs",
    "snakemake": "snakemake", "gzip": "gzip",
    "git": "git",  # setup.fresh-demo clones the tree
    "plastimatch": "plastimatch",  # the independent RTSTRUCT rasterization reference
    "chromium": "chromium",  # headless browser of the qidcm-qc page tests (test/e2e/browser.py)
}
PIXELMED_JAR = "/usr/share/java/pixelmed.jar"


class MissingDependency(SystemExit):
    pass


def missing_message(module):
    top = module.split(".")[0]
    package = PYTHON_MODULES.get(top, "python3-" + top)
    return (f"test dependency missing: Python module '{top}' (Debian package {package}); "
            "scripts/setup.sh test installs it")


def require(module):
    """Imports `module`; a missing one ends the test with a line naming its package."""
    try:
        imported = importlib.import_module(module)
    except ImportError as e:
        if e.name and module.split(".")[0] != e.name.split(".")[0] and e.name.split(".")[0] not in PYTHON_MODULES:
            raise
        raise MissingDependency(missing_message(e.name or module)) from None
    if getattr(imported, "__file__", None) is None:  # an empty directory of that name
        raise MissingDependency(missing_message(module))
    if module.split(".")[0] == "pydicom":
        # Tests decode pixels through pixel_decode.py, one declared path per
        # transfer syntax; pydicom's handlers depend on what else is installed.
        importlib.import_module("pydicom.config").pixel_data_handlers = []
    return imported


class LazyModule:
    """A module imported on first attribute access (see the module comment)."""

    def __init__(self, name):
        self.__dict__["_name"] = name
        self.__dict__["_module"] = None

    def __getattr__(self, attribute):
        if self._module is None:
            self.__dict__["_module"] = require(self._name)
        return getattr(self._module, attribute)

    def __setattr__(self, attribute, value):
        if self._module is None:
            self.__dict__["_module"] = require(self._name)
        setattr(self._module, attribute, value)


def lazy(name):
    return LazyModule(name)


def check(interop_dir):
    missing = []
    for module, package in PYTHON_MODULES.items():
        try:
            if getattr(importlib.import_module(module), "__file__", None) is None:
                raise ImportError(module)
        except ImportError:
            missing.append(f"Python module '{module}' (Debian package {package})")
    for program, package in PROGRAMS.items():
        if not shutil.which(program):
            missing.append(f"program '{program}' (Debian package {package})")
    if not os.path.exists(PIXELMED_JAR):
        missing.append(f"{PIXELMED_JAR} (Debian package pixelmed-apps)")
    if not os.path.isdir(os.path.join(interop_dir, "node_modules", "dcmjs")):
        missing.append(f"dcmjs in {interop_dir}/node_modules (npm ci in test/interop)")
    return missing


def main():
    interop = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) == 3 and sys.argv[1] == "--interop":
        interop = sys.argv[2]
    missing = check(interop)
    for m in missing:
        print(f"test dependency missing: {m}", file=sys.stderr)
    if missing:
        print("scripts/setup.sh test installs every test dependency", file=sys.stderr)
        return 1
    versions = []
    for module in PYTHON_MODULES:
        versions.append(f"{module} {getattr(importlib.import_module(module), '__version__', '?')}")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print("test dependencies present: " + ", ".join(versions) + f", node {node}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

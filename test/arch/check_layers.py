#!/usr/bin/python3
"""The include rules of doc/architecture.md, checked over every #include.

Each file of libsrc/<module>/ and each public header include/qidcm/... belongs
to a module; each module to a layer. A file may include its own module and
modules of lower layers, never a module of its own layer or above: so no
cycle between modules can come back unnoticed. Also checked:
  - ITK headers only in the image I/O files of libsrc/image/ (ITK_IMAGE_IO:
    the reader, the writer and the header they share, which no other file may
    include), and the test tool that reads with ITK's own readers;
  - no DCMTK header below the DCMTK layer;
  - apps include public headers and apps/ helpers only, except the listed
    tools whose job is to look inside;
  - the files listed as moved do not exist any more at their old place.

Usage: check_layers.py [--root DIR]   exit 1 and one line per violation.
       check_layers.py --self-test     the checker finds planted violations
"""
import os
import re
import shutil
import sys
import tempfile

# module -> (layer, description); a lower layer may not include a higher one.
LAYERS = {
    "core": (1, "base: errors, logging, UIDs, output transactions, threads, UTF-8"),
    "geometry": (2, "grids, vectors, frame stacks"),
    "volume": (3, "the voxel buffer on a grid"),
    "image": (4, "research-format image I/O (ITK), gzip output"),
    "codes": (5, "coded concepts, colours"),
    "json": (6, "JSON Schema validation, codes as JSON"),
    "dcmtk": (7, "DCMTK set-up: its logger, its decoder registry, attribute names"),
    "pixel": (8, "pixel data: transfer syntaxes, frame encoding and decoding"),
    "dicom": (9, "DICOM plumbing: data set helpers, modules, functional groups, file writing"),
    "source": (10, "source series: scan, index, slice matching, references"),
    "iod": (11, "what the IODs share: series and content identification"),
    "seg": (12, "Segmentation"),
    "pm": (12, "Parametric Map"),
    "sr": (12, "TID 1500 Measurement Report"),
    "rwvm": (12, "Real World Value Mapping"),
    "rtstruct": (13, "RT Structure Sets, read and rasterized into SEGs"),
    "radiomics": (13, "pyradiomics features into TID 1500 reports (radiomics2tid1500)"),
    "pet": (13, "PET: SUV from the series' headers, written as RWVM, PM and image (pet2suv)"),
    "qc": (13, "QC pages of SEG, PM, RWVM and SR objects and their collection index (qidcm-qc)"),
}

# IODs: what another module needs of one goes through its public headers
# (include/qidcm/<iod>/), never its internal ones (libsrc/<iod>/).
IODS = {"seg", "pm", "sr", "rwvm", "rtstruct", "pet", "radiomics", "qc"}

# Public headers (include/qidcm/...) -> module.
PUBLIC = {
    "error.h": "core", "log.h": "core", "uid.h": "core", "cleanup.h": "core", "version.h": "core",
    "geometry.h": "geometry", "stack.h": "geometry",
    "volume.h": "volume", "volume_dispatch.h": "volume",
    "image_io.h": "image",
    "codes.h": "codes",
    "schema.h": "json",
    "compression.h": "pixel",
    "source.h": "source",
    "series.h": "iod",
}
for iod in ("seg", "pm", "sr", "rwvm", "rtstruct", "pet", "radiomics", "qc"):
    PUBLIC[iod + "/"] = iod
UMBRELLA = "qidcm.h"  # includes everything; nothing in the library includes it

# The image I/O files, the only ones of the library that include ITK.
ITK_IMAGE_IO = {"libsrc/image/itk_image_io.h", "libsrc/image/itk_image_read.cpp", "libsrc/image/itk_image_write.cpp"}
ITK_ALLOWED = ITK_IMAGE_IO | {"test/tools/itkread.cpp"}
ITK_IMAGE_IO_HEADER = "image/itk_image_io.h"  # their shared header, which includes ITK
# Apps that look inside the library on purpose (test and bench helpers).
APP_INTERNALS_ALLOWED = set()

# Files that moved (old path -> new path); the old ones must stay gone.
MOVED = {
    "libsrc/core/volume.cpp": "libsrc/volume/volume.cpp",
    "libsrc/dicom/source_references.h": "libsrc/source/source_references.h",
    "libsrc/dicom/source_references.cpp": "libsrc/source/source_references.cpp",
    "include/qidcm/synth.h": "apps/synth/synth.h",
    "libsrc/synth/synth.cpp": "apps/synth/synth.cpp",
    "libsrc/codec": "libsrc/pixel",
    "libsrc/metadata": "libsrc/json (schema, codes) and each IOD's folder (metadata.cpp)",
    "libsrc/dicom/frame_source.h": "libsrc/pixel/frame_source.h",
    "libsrc/dicom/frame_source.cpp": "libsrc/pixel/frame_source.cpp",
    "libsrc/dicom/dcmtk_setup.h": "libsrc/dcmtk/setup.h",
    "libsrc/dicom/dcmtk_setup.cpp": "libsrc/dcmtk/setup.cpp",
    "libsrc/seg/source_context.cpp": "libsrc/seg/context.cpp (implements seg/context.h)",
    "libsrc/seg/labelmap_conversion.cpp": "libsrc/seg/convert.cpp (implements qidcm/seg/convert.h)",
    "libsrc/image/itk_image_io.cpp": "libsrc/image/itk_image_read.cpp and itk_image_write.cpp "
                                     "(shared: image/itk_image_io.h)",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def module_of_public(rel):
    """Module of include/qidcm/<rel>."""
    for key, module in PUBLIC.items():
        if key.endswith("/") and rel.startswith(key):
            return module
    return PUBLIC.get(rel)


def module_of_target(target):
    """Module an include "..." refers to, or None for what is not the library's."""
    if target.startswith("qidcm/"):
        rel = target[len("qidcm/"):]
        if rel == UMBRELLA:
            return "umbrella"
        return module_of_public(rel) or "unknown public header " + target
    first = target.split("/")[0]
    if first in LAYERS:
        return first
    return None  # "version.h" (generated), app-local headers, ...


def check(root):
    problems = []
    for old, new in MOVED.items():
        if os.path.exists(os.path.join(root, old)):
            problems.append(f"{old}: moved to {new}, but the old file is back")
    files = []
    for top in ("libsrc", "include/qidcm", "apps", "test/tools", "test/unit", "bench"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".h", ".cpp")):
                    files.append(os.path.relpath(os.path.join(d, n), root))
    for rel in sorted(files):
        parts = rel.split("/")
        if parts[0] == "libsrc":
            own = parts[1] if len(parts) > 2 else None
            if own is not None and own not in LAYERS:
                problems.append(f"{rel}: libsrc/{own}/ is no module of doc/architecture.md")
                continue
        elif parts[0] == "include":
            own = module_of_public("/".join(parts[2:]))
            if own is None and parts[-1] != UMBRELLA:
                problems.append(f"{rel}: public header of no module")
                continue
        else:
            own = "apps" if parts[0] == "apps" else "tests"
        layer = LAYERS[own][0] if own in LAYERS else None
        for number, line in enumerate(open(os.path.join(root, rel), errors="replace"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            quote, target = m.groups()
            where = f"{rel}:{number}"
            if quote == "<":
                if target.startswith("itk") and rel not in ITK_ALLOWED:
                    problems.append(f"{where}: includes ITK ({target}); only the image I/O files may "
                                    f"({', '.join(sorted(p[len('libsrc/'):] for p in ITK_IMAGE_IO))})")
                if target.startswith("dcmtk/") and layer is not None and layer < LAYERS["dcmtk"][0]:
                    problems.append(f"{where}: includes DCMTK ({target}) below the DCMTK layer")
                continue
            if target == ITK_IMAGE_IO_HEADER and rel not in ITK_IMAGE_IO:
                problems.append(f"{where}: includes {target}, which includes ITK; only the image I/O files may")
                continue
            mod = module_of_target(target)
            if mod is None:
                continue
            if mod.startswith("unknown"):
                problems.append(f"{where}: {mod}")
                continue
            if own in ("apps", "tests") or parts[-1] == UMBRELLA:
                if own == "apps" and not target.startswith("qidcm/") and rel not in APP_INTERNALS_ALLOWED \
                        and parts[1] not in ("synth",):
                    problems.append(f"{where}: an app includes the library's internal header {target}")
                continue
            if mod == "umbrella":
                problems.append(f"{where}: the library includes the umbrella header qidcm/qidcm.h")
                continue
            if mod == own:
                continue
            if mod in IODS and not target.startswith("qidcm/"):
                problems.append(f"{where}: {own} includes {target}, an internal header of the {mod} IOD; "
                                f"use its public headers (qidcm/{mod}/...)")
                continue
            if LAYERS[mod][0] >= layer:
                problems.append(f"{where}: {own} (layer {layer}) includes {target} of {mod} "
                                f"(layer {LAYERS[mod][0]}): only lower layers may be included")
    return problems


def self_test():
    """Plants one violation of each kind in a scratch tree; the checker must report each."""
    plants = {
        "libsrc/dicom/a.cpp": '#include "source/source_references.h"\n',     # a layer includes one above it
        "libsrc/pm/b.cpp": '#include "qidcm/seg/reader.h"\n',              # an IOD includes another
        "libsrc/core/c.cpp": '#include <dcmtk/dcmdata/dctk.h>\n',          # DCMTK in the base layer
        "libsrc/seg/d.cpp": '#include <itkImage.h>\n',                     # ITK outside image I/O
        "apps/e.cpp": '#include "seg/plan.h"\n',                           # an app reaches inside
        "libsrc/codec/f.cpp": "",                                          # a moved folder is back
        "libsrc/sr/g.cpp": '#include "seg/plan.h"\n',                      # another IOD's internal header
        "libsrc/image/h.cpp": '#include "image/itk_image_io.h"\n',        # ITK through the image I/O header
    }
    expected = ["includes source/source_references.h of source", "includes qidcm/seg/reader.h of seg",
                "includes DCMTK", "includes ITK", "internal header seg/plan.h", "libsrc/codec: moved",
                "an internal header of the seg IOD", "image/itk_image_io.h, which includes ITK"]
    tmp = tempfile.mkdtemp()
    try:
        for rel, text in plants.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text)
        found = check(tmp)
    finally:
        shutil.rmtree(tmp)
    missed = [e for e in expected if not any(e in p for p in found)]
    for e in missed:
        print(f"self-test: no violation reported containing '{e}'")
    print(f"self-test: {len(expected) - len(missed)} of {len(expected)} planted violations reported")
    return 1 if missed else 0


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        root = sys.argv[2]
    problems = check(root)
    for p in problems:
        print(p)
    print(f"{len(problems)} violation(s) of the include rules (doc/architecture.md)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

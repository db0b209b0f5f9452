#!/usr/bin/python3
"""cmake --install into a temporary prefix, then checks what landed there and
uses it the way a library user would:
  - every tool is in bin/ and runs (--version), with a man page in
    share/man/man1 made from its --help (NAME, SYNOPSIS, OPTIONS, EXAMPLES);
  - libqidcm.so (versioned, with its links) and libqidcm.a, the CMake package;
  - every public header compiles on its own against the installed include/;
  - doc/examples/label-to-seg builds against the installed package, once with
    qidcm::qidcm (shared) and once with qidcm::qidcm_static, and converts an
    in-memory label volume to a SEG (binary and label map); the SEGs are read
    back by the example (voxel by voxel), by pydicom and by dciodvfy.

Usage: check_install.py --build <build dir> --source <source dir> --work <dir> --tools-list "a;b;c"
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

import pydicom

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "interop")
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
    return condition


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        print(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--tools-list", required=True)
    a = p.parse_args()
    tools = [t for t in a.tools_list.split(";") if t]
    work = os.path.join(a.work, "install")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prefix = os.path.join(work, "prefix")

    r = run(["cmake", "--install", a.build, "--prefix", prefix])
    if not check(r.returncode == 0, "cmake --install"):
        return 1

    # Tools and man pages.
    for tool in tools:
        exe = os.path.join(prefix, "bin", tool)
        v = run([exe, "--version"]) if os.access(exe, os.X_OK) else None
        check(v is not None and v.returncode == 0 and v.stdout.startswith(f"{tool} (qidcm) "),
              f"bin/{tool} installed and runs")
        page = os.path.join(prefix, "share", "man", "man1", tool + ".1")
        text = open(page, encoding="utf-8").read() if os.path.exists(page) else ""
        sections = set(re.findall(r'^\.SH "?([A-Z ]+)"?$', text, re.M))
        check(re.search(rf"^\.TH {re.escape(tool.upper())} \"1\"", text, re.M) is not None
              and {"NAME", "SYNOPSIS", "OPTIONS", "EXAMPLES"} <= sections and "\\-\\-version" in text,
              f"man page of {tool} (sections {sorted(sections)})")

    # Libraries and the CMake package.
    libs = glob.glob(os.path.join(prefix, "lib*", "**", "libqidcm*"), recursive=True)
    names = {os.path.basename(x): x for x in libs}
    check("libqidcm.a" in names, "libqidcm.a")
    check("libqidcm.so" in names and os.path.islink(names["libqidcm.so"])
          and re.fullmatch(r"libqidcm\.so\.\d+\.\d+\.\d+", os.path.basename(os.path.realpath(names["libqidcm.so"])))
          is not None, "libqidcm.so -> libqidcm.so.<major> -> libqidcm.so.<version>")
    configs = glob.glob(os.path.join(prefix, "lib*", "**", "qidcmConfig.cmake"), recursive=True)
    check(len(configs) == 1, "qidcmConfig.cmake")

    # Every public header on its own.
    include = os.path.join(prefix, "include")
    headers = sorted(glob.glob(os.path.join(include, "qidcm", "**", "*.h"), recursive=True))
    check(len(headers) >= 20, f"{len(headers)} public headers")
    bad = []
    for h in headers:
        rel = os.path.relpath(h, include)
        c = subprocess.run(["c++", "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-I", include, "-x", "c++", "-"],
                           input=f'#include "{rel}"\n', capture_output=True, text=True)
        if c.returncode != 0:
            bad.append(rel + ": " + c.stderr.splitlines()[0] if c.stderr else rel)
    check(not bad, "every public header compiles on its own" + ("" if not bad else ": " + "; ".join(bad)))

    # The example consumer, against the installed package.
    case = os.path.join(work, "case")
    r = run([os.path.join(prefix, "bin", "qidcm-synth"), "--outputDirectory", case, "--columns", "96", "--rows", "80",
             "--slices", "24", "--orientation", "oblique"])
    check(r.returncode == 0, "synthetic CT series")
    example = os.path.join(a.source, "doc", "examples", "label-to-seg")
    for variant, static in (("shared", "OFF"), ("static", "ON")):
        bdir = os.path.join(work, "example-" + variant)
        r = run(["cmake", "-S", example, "-B", bdir, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
                 f"-DLINK_STATIC={static}"])
        ok = check(r.returncode == 0, f"example ({variant}): configure with find_package(qidcm)")
        ok = ok and check(run(["cmake", "--build", bdir]).returncode == 0, f"example ({variant}): build")
        if not ok:
            continue
        exe = os.path.join(bdir, "label_to_seg")
        ldd = run(["ldd", exe]).stdout
        linked = re.search(r"libqidcm\.so\.\d+ => (\S+)", ldd)
        if static == "OFF":
            check(linked is not None and linked.group(1).startswith(prefix),
                  f"example (shared) uses the installed libqidcm.so ({linked.group(1) if linked else 'none'})")
        else:
            check(linked is None, "example (static) needs no libqidcm.so")
        for kind, sop in (("binary", "1.2.840.10008.5.1.4.1.1.66.4"), ("labelmap", "1.2.840.10008.5.1.4.1.1.66.7")):
            out = os.path.join(work, f"{variant}-{kind}.dcm")
            r = run([exe, os.path.join(case, "ct"), out, kind])
            m = re.search(r"read back: 1 image\(s\), 0 of (\d+) voxels differ", r.stdout)
            check(r.returncode == 0 and m is not None and int(m.group(1)) == 96 * 80 * 24,
                  f"example ({variant}, {kind}): written and read back voxel for voxel")
            if r.returncode != 0:
                continue
            ds = pydicom.dcmread(out)
            labels = [s.SegmentLabel for s in ds.SegmentSequence]
            ct_uids = {pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID
                       for f in glob.glob(os.path.join(case, "ct", "*"))}
            refs = {i.ReferencedSOPInstanceUID for s in ds.ReferencedSeriesSequence for i in s.ReferencedInstanceSequence}
            reported = re.search(r"(\d+) source images referenced", r.stdout)
            check(ds.SOPClassUID == sop and ds.SegmentationType == kind.upper() and labels[-2:] == ["Liver", "Spleen"]
                  and ds.SeriesDescription == "label_to_seg example" and refs <= ct_uids
                  and reported is not None and len(refs) == int(reported.group(1)) > len(ct_uids) // 2,
                  f"example ({variant}, {kind}): pydicom reads {ds.SegmentationType}, segments {labels}, "
                  f"{len(refs)} of the {len(ct_uids)} CT images referenced")
            cmd = [sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), out]
            if kind == "labelmap":
                cmd.append("--labelmap")
            check(run(cmd).returncode == 0, f"example ({variant}, {kind}): dciodvfy")

    # The Python module, when the build has it: installed in the prefix's site directory, importable from
    # there alone, and writing a SEG.
    if os.path.isdir(os.path.join(a.build, "python", "qidcm")):
        found = glob.glob(os.path.join(prefix, "lib", "python3*", "dist-packages", "qidcm", "_core*.so"))
        if check(len(found) == 1, f"Python module installed in <prefix>/lib/python3*/dist-packages ({found})"):
            site = os.path.dirname(os.path.dirname(found[0]))
            code = ("import qidcm, numpy as np, json, sys\n"
                    "src = qidcm.read_series(sys.argv[1])\n"
                    "labels = np.zeros(src.shape, np.uint8); labels[5:10, 20:40, 20:40] = 1\n"
                    "meta = json.load(open(sys.argv[2]))\n"
                    "meta['segmentAttributes'] = [meta['segmentAttributes'][0][:1]]\n"
                    "meta['segmentAttributes'][0][0]['labelID'] = 1\n"
                    "s = qidcm.write_seg(labels, metadata=meta, source=src, path=sys.argv[3])\n"
                    "back = qidcm.read_seg(sys.argv[3], reference=sys.argv[1]).labels\n"
                    "print(qidcm.__file__, s['segments'], int((back != labels).sum()))\n")
            env = dict(os.environ, PYTHONPATH=site)
            r = run([sys.executable, "-c", code, os.path.join(case, "ct"), os.path.join(case, "meta.json"),
                     os.path.join(work, "python.dcm")], env=env)
            check(r.returncode == 0 and r.stdout.startswith(site) and r.stdout.split()[1:] == ["1", "0"],
                  f"the installed Python module writes and reads back a SEG ({(r.stdout + r.stderr).strip()[-300:]})")

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

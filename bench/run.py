#!/usr/bin/python3
"""qidcm benchmark: speed and memory of every tool, as ratios to the I/O floor.

For each case it generates the inputs with qidcm-synth (once; they are kept in
the work directory and reused while their parameters do not change), runs
every tool on them several times, and prints one row per (case, tool,
options): the median wall and CPU seconds, the median peak RSS, the output
size, the I/O floor and the ratio of wall time to floor. The table is also
written as CSV.

The I/O floor is measured in the same run on the same input, with
qidcm-bench-io: reading the input (an image through ITK, as the tools read
it; a DICOM file's bytes) plus writing a file as large as the tool's output.
For the source-series scan, the floor is reading every header, one file after
the other, stopping before the pixel data. For rtstruct2segimage, it is
reading the structure set's bytes plus the series' headers, plus writing the
output.

The rtstruct case's structure set is written by bench/make_rtstruct.py
(pydicom and numpy) on a qidcm-synth series; plastimatch, when installed, is
timed on it as a reference.

The pet case's series is written by bench/make_pet.py (pydicom and numpy);
its floor is reading every PET file whole with DCMTK plus writing the
outputs' bytes.

The table case's 1,000 reports are written by bench/make_reports.py
(tid1500writer once, then copies with new UIDs through pydicom); its floor is
reading every report's bytes plus writing the table.

Usage: bench/run.py --build <build dir> [--work <dir>] [--cases small,total,lesions,pmap,compression,rtstruct,pet,table]
                    [--runs 3] [--csv <file>]
The exit status is non-zero when a tool fails; missed targets are reported,
not fatal.
"""
import argparse
import csv
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

MB = 1 << 20

# Inputs, as qidcm-synth options. "stored" is the label volume's bytes per
# voxel, for the memory target.
CASES = {
    "small": dict(args=["--columns", "256", "--rows", "256", "--slices", "100", "--segments", "3",
                        "--format", "nrrd"], label="label.nrrd", stored=1),
    "total": dict(args=["--columns", "512", "--rows", "512", "--slices", "600", "--spacing", "0.8,0.8,1.5",
                        "--segments", "117", "--minSegmentSlices", "10", "--maxSegmentSlices", "400", "--logUniformExtents",
                        "--format", "nii.gz", "--labelType", "uint8", "--probabilityMaps",
                        "--probabilitySegments", "1", "--parametricMap"], label="label.nii.gz", stored=1),
    "lesions": dict(args=["--columns", "512", "--rows", "512", "--slices", "300", "--segments", "1000",
                          "--minSegmentSlices", "1", "--maxSegmentSlices", "6", "--maxSegmentRadius", "5",
                          "--format", "nii.gz", "--labelType", "uint16", "--seed", "3"],
                    label="label.nii.gz", stored=2),
}
# A whole-body RT Structure Set: qidcm-synth's series (its label image is not
# used) and make_rtstruct.py's structure set on it, 100 ROIs of ~300 contours
# of ~200 points each ("rtstruct": make_rtstruct.py options).
CASES["rtstruct"] = dict(args=["--columns", "512", "--rows", "512", "--slices", "300", "--spacing", "0.8,0.8,2",
                               "--segments", "1", "--format", "nrrd"],
                         rtstruct=["--rois", "100", "--contours", "30000", "--points", "200", "--holes", "0.2",
                                   "--decimals", "3", "--seed", "1"], stored=1)
MAKE_RTSTRUCT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_rtstruct.py")
# A 400-slice 192 x 192 PET series, each slice with its own Rescale Slope
# (make_pet.py options): pet2suv to all four outputs.
CASES["pet"] = dict(pet=["--slices", "400", "--rows", "192", "--columns", "192", "--seed", "1"])
MAKE_PET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_pet.py")
# 1,000 TID 1500 reports of 100 measurements each (make_reports.py options):
# tid1500reader --outputTable over the collection.
CASES["table"] = dict(reports=["--reports", "1000", "--measurements", "100"])
MAKE_REPORTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_reports.py")
# qidcm-qc: "qc" is the total case's SEG over its series; "qc-index" a
# collection of 1,000 rows made in the run (qc_index_runs).
CASES["qc-index"] = dict(args=["--columns", "64", "--rows", "64", "--slices", "20", "--segments", "3",
                               "--format", "nrrd"], label="label.nrrd", stored=1)
# The parametric map case shares the total case's series and grid.
CASE_INPUTS = {"small": "small", "total": "total", "lesions": "lesions", "pmap": "total", "compression": "total",
               "rtstruct": "rtstruct", "pet": "pet", "table": "table", "qc": "total", "qc-index": "qc-index",
               "python": "total"}

# The compression table (on the total case): SEG type, --compress value.
COMPRESSION_RUNS = [("binary", "none"), ("binary", "rle"), ("binary", "difc"), ("binary", "jpeg2000"),
                    ("labelmap", "none"), ("labelmap", "rle"), ("labelmap", "jpegls"), ("labelmap", "difc"),
                    ("labelmap", "deflate")]


class Bench:
    def __init__(self, a):
        self.apps = os.path.join(a.build, "apps")
        self.io = os.path.join(a.build, "bench", "qidcm-bench-io")
        self.work = os.path.abspath(a.work)
        self.runs = a.runs
        self.rows = []
        self.failures = 0

    def tool(self, name):
        return os.path.join(self.apps, name)

    # -- measurement --------------------------------------------------------
    def measure(self, cmd, runs=None, before=None):
        """Median wall, CPU seconds and peak RSS (bytes) of `cmd` over `runs` runs."""
        walls, cpus, rsss = [], [], []
        out = ""
        for _ in range(runs or self.runs):
            if before:
                before()
            start = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            output = p.stdout.read()
            _, status, usage = os.wait4(p.pid, 0)
            walls.append(time.perf_counter() - start)
            p.stdout.close()
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{output}")
            cpus.append(usage.ru_utime + usage.ru_stime)
            rsss.append(usage.ru_maxrss * 1024)
            out = output
        return statistics.median(walls), statistics.median(cpus), statistics.median(rsss), out

    def floor(self, read, output_bytes):
        """Reading the input plus writing `output_bytes`. `read`: qidcm-bench-io arguments, or a list of them
        (inputs read one after the other: their times add up)."""
        reads = read if isinstance(read[0], list) else [read]
        t_read = sum(self.measure([self.io] + r)[0] for r in reads)
        target = os.path.join(self.work, "floor.tmp")
        remove = lambda: os.path.exists(target) and os.remove(target)
        t_write = self.measure([self.io, "write-bytes", str(output_bytes), target], before=remove)[0]
        remove()
        return t_read + t_write

    def row(self, case, tool, options, cmd, outputs, read, limit_ratio=None, limit_rss=None, note="",
            floor_write=None, limit_wall=None):
        """One table row. The floor reads the input (`read`: qidcm-bench-io arguments, or a list of them) and
        writes as many bytes as the outputs hold, or `floor_write` bytes when given (for compressed image
        outputs: the uncompressed image, so that the ratio includes what compressing costs). `limit_wall`:
        a target on the wall time itself (seconds, strictly below)."""
        def clean():
            for o in outputs:
                if os.path.isdir(o):
                    shutil.rmtree(o)
                elif os.path.exists(o):
                    os.remove(o)
        try:
            wall, cpu, rss, out = self.measure(cmd, before=clean)
        except RuntimeError as e:
            print(f"FAILED: {case} {tool} {options}: {e}")
            self.failures += 1
            return None
        size = sum(size_of(o) for o in outputs)
        fl = self.floor(read, size if floor_write is None else floor_write) if read else None
        ratio = wall / fl if fl else None
        status = []
        if limit_wall is not None:
            status.append(f"wall<{limit_wall:g}s:{'ok' if wall < limit_wall else 'MISSED'}")
        if limit_ratio is not None and ratio is not None:
            status.append(f"ratio<={limit_ratio}:{'ok' if ratio <= limit_ratio else 'MISSED'}")
        if limit_rss is not None:
            status.append(f"rss<={limit_rss / MB:.0f}MB:{'ok' if rss <= limit_rss else 'MISSED'}")
        r = dict(case=case, tool=tool, options=options, wall_s=round(wall, 3), cpu_s=round(cpu, 3),
                 peak_rss_mb=round(rss / MB, 1), output_bytes=size,
                 floor_s=round(fl, 3) if fl else "", ratio=round(ratio, 2) if ratio else "",
                 targets=" ".join(status), note=note)
        self.rows.append(r)
        print(format_row(r), flush=True)
        return r, out

    # -- inputs ---------------------------------------------------------------
    def inputs(self, name):
        spec = CASES[name]
        directory = os.path.join(self.work, "cases", name)
        stamp = os.path.join(directory, "synth-args.json")
        if "pet" in spec:
            return self.script_inputs(name, MAKE_PET, ["--output", os.path.join(directory, "pt")] + spec["pet"],
                                      directory, stamp)
        if "reports" in spec:
            return self.script_inputs(name, MAKE_REPORTS, ["--tools", self.apps, "--output", directory]
                                      + spec["reports"], directory, stamp)
        # The rtstruct case also depends on make_rtstruct.py: its options and its text.
        params = spec["args"] if "rtstruct" not in spec else dict(
            synth=spec["args"], rtstruct=spec["rtstruct"],
            generator=hashlib.sha256(open(MAKE_RTSTRUCT, "rb").read()).hexdigest())
        if os.path.exists(stamp) and json.load(open(stamp)) == params:
            return directory
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        print(f"generating the {name} case ...", flush=True)
        r = subprocess.run([self.tool("qidcm-synth"), "--outputDirectory", directory] + spec["args"],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("qidcm-synth failed: " + r.stdout + r.stderr)
        print(r.stdout.strip(), flush=True)
        with open(os.path.join(directory, "synth.txt"), "w") as f:
            f.write(r.stdout)
        if "rtstruct" in spec:
            r = subprocess.run([sys.executable, MAKE_RTSTRUCT, "--series", os.path.join(directory, "ct"), "--output",
                                os.path.join(directory, "rs.dcm"), "--summary", os.path.join(directory, "rtstruct.json")]
                               + spec["rtstruct"], capture_output=True, text=True)
            if r.returncode:
                raise RuntimeError("make_rtstruct.py failed: " + r.stdout + r.stderr)
            print(r.stdout.strip(), flush=True)
        json.dump(params, open(stamp, "w"))
        return directory


    def script_inputs(self, name, script, args, directory, stamp):
        """A case a bench script generates (make_pet.py, make_reports.py): kept while its options and the
        script's text do not change."""
        params = dict(args=args, generator=hashlib.sha256(open(script, "rb").read()).hexdigest())
        if os.path.exists(stamp) and json.load(open(stamp)) == params:
            return directory
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        print(f"generating the {name} case ...", flush=True)
        r = subprocess.run([sys.executable, script] + args, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{os.path.basename(script)} failed: " + r.stdout + r.stderr)
        print(r.stdout.strip(), flush=True)
        json.dump(params, open(stamp, "w"))
        return directory


def size_of(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
    return os.path.getsize(path) if os.path.exists(path) else 0


COLUMNS = [("case", 8), ("tool", 18), ("options", 30), ("wall_s", 8), ("cpu_s", 8), ("peak_rss_mb", 11),
           ("output_bytes", 13), ("floor_s", 8), ("ratio", 6), ("targets", 0)]


def format_row(r):
    return " ".join(str(r[k]).ljust(w) if w else str(r[k]) for k, w in COLUMNS)


def header():
    return " ".join(k.ljust(w) if w else k for k, w in COLUMNS)


def seg_runs(b, case, d, out):
    """itkimage2segimage and segimage2itkimage on one label case."""
    spec = CASES[case]
    label = os.path.join(d, spec["label"])
    meta = os.path.join(d, "meta.json")
    ct = os.path.join(d, "ct")
    voxels = 1
    synth = open(os.path.join(d, "synth.txt")).read()
    for line in synth.splitlines():
        if line.startswith("series:"):
            dims = line.split("(")[1].split(")")[0].split(" x ")
            voxels = int(dims[0]) * int(dims[1]) * int(dims[2])
        if "non-empty segment-slice pairs" in line:
            print(f"[{case}] {line.split('(')[-1].rstrip(')')}")
    rss_limit = 1.5 * voxels * spec["stored"] + 100 * MB
    base = [b.tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", meta,
            "--inputDICOMDirectory", ct]
    binary = os.path.join(out, "binary.dcm")
    b.row(case, "itkimage2segimage", "binary --skip 1", base + ["--outputDICOM", binary, "--skip", "1"], [binary],
          ["read-image", label], 2 if case == "total" else None, rss_limit)
    full = os.path.join(out, "binary-all.dcm")
    if case != "lesions":
        b.row(case, "itkimage2segimage", "binary --skip 0", base + ["--outputDICOM", full, "--skip", "0"], [full],
              ["read-image", label], None, rss_limit)
        if os.path.exists(full):
            os.remove(full)
    labelmap = os.path.join(out, "labelmap.dcm")
    b.row(case, "itkimage2segimage", "labelmap", base + ["--outputDICOM", labelmap, "--segmentationType", "labelmap"],
          [labelmap], ["read-image", label], 2 if case == "total" else None, rss_limit)
    prob = os.path.join(d, "prob.nii.gz")
    if os.path.exists(prob):
        # One segment's probability map: the metadata keeps the first segment.
        m = json.load(open(meta))
        m["segmentAttributes"] = [[m["segmentAttributes"][0][0]]]
        prob_meta = os.path.join(out, "prob-meta.json")
        json.dump(m, open(prob_meta, "w"))
        fractional = os.path.join(out, "fractional.dcm")
        b.row(case, "itkimage2segimage", "fractional (1 segment)",
              [b.tool("itkimage2segimage"), "--inputImageList", prob, "--inputMetadata", prob_meta,
               "--inputDICOMDirectory", ct, "--outputDICOM", fractional, "--segmentationType", "fractional"],
              [fractional], ["read-image", prob], None, 1.5 * voxels * 4 + 100 * MB)
        if os.path.exists(fractional):
            os.remove(fractional)
    reader = [b.tool("segimage2itkimage"), "--inputDICOM"]
    per = os.path.join(out, "per-segment")
    if case != "lesions":  # 1,000 full-size volumes: the merged run covers this case
        b.row(case, "segimage2itkimage", "per segment (binary SEG)", reader + [binary, "--outputDirectory", per],
              [per], ["read-bytes", binary], None, rss_limit)
    merged = os.path.join(out, "merged")
    b.row(case, "segimage2itkimage", "--mergeSegments (binary SEG)",
          reader + [binary, "--outputDirectory", merged, "--mergeSegments"], [merged], ["read-bytes", binary],
          3 if case == "total" else None, rss_limit)
    fromlabel = os.path.join(out, "from-labelmap")
    b.row(case, "segimage2itkimage", "labelmap SEG", reader + [labelmap, "--outputDirectory", fromlabel],
          [fromlabel], ["read-bytes", labelmap], None, rss_limit)
    for path in (per, merged, fromlabel):
        shutil.rmtree(path, ignore_errors=True)
    # The scan's floor is reading the headers alone, one file after the other.
    b.row(case, "source scan", f"{len(os.listdir(ct))} files", [b.io, "scan", ct], [], ["headers", ct], 2)
    if case == "small":
        # Start-up: process start, flag parsing and schema loading, measured as
        # --help's wall time plus the metadata phase of a verbose run.
        help_wall = b.measure([b.tool("itkimage2segimage"), "--help"])[0]
        _, _, _, out_text = b.measure(base + ["--outputDICOM", os.path.join(out, "verbose.dcm"), "--verbose"], runs=1)
        phase = 0.0
        for line in out_text.splitlines():
            if "read and validate metadata" in line:
                phase = float(line.split(":")[-1].strip().rstrip("s").strip())
        startup = help_wall + phase
        r = dict(case=case, tool="start-up", options="--help + metadata phase", wall_s=round(startup, 3), cpu_s="",
                 peak_rss_mb="", output_bytes=0, floor_s="", ratio="",
                 targets=f"wall<=0.1s:{'ok' if startup <= 0.1 else 'MISSED'}", note="")
        b.rows.append(r)
        print(format_row(r), flush=True)
    os.remove(binary)
    os.remove(labelmap)


def compression_runs(b, d, out, only=None):
    """Size, write and read time of each encoding of the total case."""
    label, meta, ct = os.path.join(d, "label.nii.gz"), os.path.join(d, "meta.json"), os.path.join(d, "ct")
    table = []
    for kind, compression in COMPRESSION_RUNS:
        if only and compression not in only and compression != "none":
            continue
        dcm = os.path.join(out, f"{kind}-{compression}.dcm")
        cmd = [b.tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", meta,
               "--inputDICOMDirectory", ct, "--outputDICOM", dcm, "--segmentationType", kind, "--compress",
               compression]
        remove = lambda: os.path.exists(dcm) and os.remove(dcm)
        try:
            write = b.measure(cmd, before=remove)[0]
            back = os.path.join(out, "back")
            read = b.measure([b.tool("segimage2itkimage"), "--inputDICOM", dcm, "--outputDirectory", back] +
                             (["--mergeSegments"] if kind == "binary" else []),
                             before=lambda: shutil.rmtree(back, ignore_errors=True))[0]
            shutil.rmtree(back, ignore_errors=True)
        except RuntimeError as e:
            print(f"FAILED: compression {kind} {compression}: {e}")
            b.failures += 1
            continue
        table.append(dict(encoding=f"{kind} {compression}", bytes=os.path.getsize(dcm), write_s=round(write, 3),
                          read_s=round(read, 3)))
        os.remove(dcm)
    if not table:
        return table
    base = {r["encoding"]: r for r in table}
    binary_none = base.get("binary none", {}).get("bytes")
    print("\n| encoding | bytes | write s | read s | note |\n|---|---|---|---|---|")
    for r in table:
        kind, compression = r["encoding"].split()
        notes = []
        if kind == "labelmap" and compression != "none" and binary_none:
            share = 100.0 * r["bytes"] / binary_none
            notes.append(f"{share:.2f}% of binary none (<=2%: {'ok' if share <= 2 else 'MISSED'})")
        plain = base.get(f"{kind} none")
        if compression in ("rle", "difc") and plain:
            ratio = r["write_s"] / plain["write_s"]
            notes.append(f"write {ratio:.2f}x uncompressed (<=1.5x: {'ok' if ratio <= 1.5 else 'MISSED'})")
        r["note"] = "; ".join(notes)
        print(f"| {r['encoding']} | {r['bytes']} | {r['write_s']} | {r['read_s']} | {r['note']} |", flush=True)
    return table


def pmap_runs(b, d, out):
    pmap = os.path.join(d, "pmap.nrrd")
    voxels = 512 * 512 * 600
    limit = 1.5 * voxels * 4 + 100 * MB
    dcm = os.path.join(out, "pmap.dcm")
    b.row("pmap", "itkimage2paramap", "float32",
          [b.tool("itkimage2paramap"), "--inputImage", pmap, "--inputMetadata", os.path.join(d, "pm-meta.json"),
           "--inputDICOMDirectory", os.path.join(d, "ct"), "--outputDICOM", dcm], [dcm], ["read-image", pmap], None,
          limit)
    back = os.path.join(out, "pmap-back")
    # The floor writes the map uncompressed (voxels x 4 bytes): the ratio is what gzip costs on top.
    b.row("pmap", "paramap2itkimage", "float32 (.nrrd, gzip)", [b.tool("paramap2itkimage"), "--inputDICOM", dcm,
                                                             "--outputDirectory", back], [back], ["read-bytes", dcm],
          None, limit, floor_write=voxels * 4)
    shutil.rmtree(back, ignore_errors=True)
    if os.path.exists(dcm):
        os.remove(dcm)


def rtstruct_runs(b, d, out):
    """rtstruct2segimage (binary, labelmap) on the whole-body structure set, and plastimatch as a reference."""
    rs, ct = os.path.join(d, "rs.dcm"), os.path.join(d, "ct")
    s = json.load(open(os.path.join(d, "rtstruct.json")))
    print(f"[rtstruct] {s['rois']} ROIs, {s['contours']} contours, {s['points']} points, {s['bytes']} bytes, "
          f"on {s['columns']} x {s['rows']} x {s['slices']}")
    voxels = s["columns"] * s["rows"] * s["slices"]
    # The label volume at 1 byte per voxel.
    rss_limit = 1.5 * voxels * CASES["rtstruct"]["stored"] + 100 * MB
    # The tool reads the structure set whole and the series' headers (not their pixels).
    read = [["read-bytes", rs], ["headers", ct]]
    for kind in ("binary", "labelmap"):
        dcm = os.path.join(out, f"{kind}.dcm")
        b.row("rtstruct", "rtstruct2segimage", kind,
              [b.tool("rtstruct2segimage"), "--inputRTSTRUCT", rs, "--inputDICOMDirectory", ct, "--outputDICOM", dcm]
              + (["--segmentationType", kind] if kind != "binary" else []), [dcm], read, None, rss_limit,
              limit_wall=3)
        if os.path.exists(dcm):
            os.remove(dcm)
    # plastimatch 1.9.4 (the rasterization reference of doc/rtstruct-rasterization.md): one gzip NRRD per ROI.
    # It reads the series' pixels too, so no floor; a reference, without targets.
    plastimatch = shutil.which("plastimatch")
    if not plastimatch:
        print("[rtstruct] plastimatch not found: its reference row is left out")
        return
    prefix = os.path.join(out, "plastimatch")
    b.row("rtstruct", "plastimatch (ref)", "convert --xor-contours, nrrd",
          [plastimatch, "convert", "--input", rs, "--referenced-ct", ct, "--output-prefix", prefix,
           "--prefix-format", "nrrd", "--xor-contours"], [prefix], None, note="reference")
    shutil.rmtree(prefix, ignore_errors=True)


def pet_runs(b, d, out):
    """pet2suv to each output alone and to all four; the floor reads every PET file whole (DCMTK) and writes
    the outputs' bytes. Target: all four in under 2 s."""
    pt = os.path.join(d, "pt")
    outputs = dict(rwvm=("--outputRWVM", "rwvm.dcm"), pm=("--outputParametricMap", "pm.dcm"),
                   image=("--outputImage", "suv.nii.gz"), json=("--outputMetadata", "suv.json"))
    runs = [("all four", list(outputs)), ("rwvm", ["rwvm"]), ("pm", ["pm"]), ("image (.nii.gz)", ["image"])]
    for name, keys in runs:
        cmd = [b.tool("pet2suv"), "--inputDICOMDirectory", pt]
        paths = []
        for key in keys:
            flag, file = outputs[key]
            paths.append(os.path.join(out, file))
            cmd += [flag, paths[-1]]
        b.row("pet", "pet2suv", name, cmd, paths, ["read-dicom", pt], limit_wall=2 if name == "all four" else None)
        for path in paths:
            if os.path.exists(path):
                os.remove(path)


def table_runs(b, d, out):
    """tid1500reader --outputTable over 1,000 reports of 100 measurements; the floor reads every report's bytes
    and writes the table's bytes. Target: under 5 s."""
    reports = os.path.join(d, "reports")
    for name in ("measurements.csv", "measurements.tsv"):
        table = os.path.join(out, name)
        b.row("table", "tid1500reader", "--outputTable " + name.split(".")[1],
              [b.tool("tid1500reader"), "--inputDICOM", reports, "--outputTable", table], [table],
              ["read-files", reports], limit_wall=5)
        if os.path.exists(table):
            os.remove(table)


def qc_runs(b, d, out):
    """qidcm-qc's page of the total case's SEG (117 segments, written first, not timed) over its 600-slice
    series. The floor reads the SEG and the series and writes the page's bytes. Target: under 5 s."""
    ct, seg, page = os.path.join(d, "ct"), os.path.join(out, "seg.dcm"), os.path.join(out, "page.html")
    subprocess.run([b.tool("itkimage2segimage"), "--inputImageList", os.path.join(d, CASES["total"]["label"]),
                    "--inputMetadata", os.path.join(d, "meta.json"), "--inputDICOMDirectory", ct,
                    "--outputDICOM", seg], check=True, capture_output=True)
    b.row("qc", "qidcm-qc", "SEG page, 117 segments", [b.tool("qidcm-qc"), "--inputDICOM", seg,
          "--inputDICOMDirectory", ct, "--outputHTML", page], [page], [["read-files", out], ["read-dicom", ct]],
          limit_wall=5)


def qc_index_runs(b, d, out):
    """qidcm-qc --inputReport over a report of 1,000 rows: each a 3-segment SEG (hard links to one file) on
    the same 64 x 64 x 20 series, every page made again (--noReuse), on both cores. The floor reads the SEGs
    and writes the pages' and the index's bytes. Target: under 10 s."""
    ct, segs = os.path.join(d, "ct"), os.path.join(out, "seg")
    os.makedirs(segs)
    base = os.path.join(out, "base.dcm")
    subprocess.run([b.tool("itkimage2segimage"), "--inputImageList", os.path.join(d, "label.nrrd"),
                    "--inputMetadata", os.path.join(d, "meta.json"), "--inputDICOMDirectory", ct,
                    "--outputDICOM", base], check=True, capture_output=True)
    report = os.path.join(out, "report.csv")
    with open(report, "w") as f:
        f.write("row,status,seconds,output_bytes,message,id,output,kind,source\n")
        for n in range(1, 1001):
            os.link(base, os.path.join(segs, f"r{n:04d}.dcm"))
            f.write(f"{n},ok,1,1,,r{n:04d},seg/r{n:04d}.dcm,seg,{ct}\n")
    index, pages = os.path.join(out, "index.html"), os.path.join(out, "qc")
    b.row("qc-index", "qidcm-qc", "index of 1,000 rows", [b.tool("qidcm-qc"), "--inputReport", report,
          "--outputHTML", index, "--noReuse"], [index, pages], ["read-files", segs], limit_wall=10)


PYTHON_WRITE = """
import json, sys, numpy as np, qidcm
labels = np.load(sys.argv[1])
src = qidcm.read_series(sys.argv[2])
qidcm.write_seg(labels, metadata=json.load(open(sys.argv[3])), source=src, path=sys.argv[4],
                segmentation_type=sys.argv[5])
"""
PYTHON_READ = """
import sys, qidcm
s = qidcm.read_seg(sys.argv[1], merge=sys.argv[2] == "merge")
"""


def python_runs(b, d, out):
    """The Python module against the tools on the total case (117 segments): write_seg (label map and binary)
    from a NumPy array against itkimage2segimage from the .nii.gz, read_seg against segimage2itkimage. Each
    row is the whole process (interpreter and NumPy start-up included). Target: at most 1.2 x the tool."""
    module = os.path.join(os.path.dirname(b.apps), "python")
    if not os.path.isdir(os.path.join(module, "qidcm")):
        print("[python] the module is not built (pybind11-dev, python3-dev): skipped")
        return
    env_python = [sys.executable, "-c"]
    os.environ["PYTHONPATH"] = module
    ct, meta, label = os.path.join(d, "ct"), os.path.join(d, "meta.json"), os.path.join(d, CASES["total"]["label"])
    npy = os.path.join(out, "labels.npy")
    # The label array, as a pipeline holds it: read once through the SEG reader of a tool-written SEG.
    labelmap = os.path.join(out, "tool-labelmap.dcm")
    subprocess.run([b.tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", meta,
                    "--inputDICOMDirectory", ct, "--outputDICOM", labelmap, "--segmentationType", "labelmap"],
                   check=True, capture_output=True)
    subprocess.run(env_python + ["import sys, numpy as np, qidcm\n"
                                 "np.save(sys.argv[2], qidcm.read_seg(sys.argv[1], reference=sys.argv[3]).labels)",
                                 labelmap, npy, ct], check=True)
    for kind in ("labelmap", "binary"):
        seg = os.path.join(out, f"{kind}.dcm")
        tool = b.row("python", "itkimage2segimage", kind,
                     [b.tool("itkimage2segimage"), "--inputImageList", label, "--inputMetadata", meta,
                      "--inputDICOMDirectory", ct, "--outputDICOM", seg, "--segmentationType", kind], [seg], None)
        limit = 1.2 * tool[0]["wall_s"] if tool else None
        b.row("python", "qidcm.write_seg", kind, env_python + [PYTHON_WRITE, npy, ct, meta, seg, kind], [seg], None,
              limit_wall=limit)
    binary = os.path.join(out, "binary.dcm")
    qidcm_out = os.path.join(out, "read")
    tool = b.row("python", "segimage2itkimage", "--mergeSegments (binary SEG)",
                 [b.tool("segimage2itkimage"), "--inputDICOM", binary, "--outputDirectory", qidcm_out, "-t", "nrrd",
                  "--mergeSegments"], [qidcm_out], None)
    b.row("python", "qidcm.read_seg", "merge (binary SEG)", env_python + [PYTHON_READ, binary, "merge"], [], None,
          limit_wall=1.2 * tool[0]["wall_s"] if tool else None)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "work"))
    p.add_argument("--cases", default="small,total,lesions,pmap,compression,rtstruct,pet,table,qc,qc-index,python")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--csv")
    a = p.parse_args()
    if a.runs < 1:
        p.error("--runs must be at least 1")
    b = Bench(a)
    os.makedirs(b.work, exist_ok=True)
    cases = [c for c in a.cases.split(",") if c]
    compression_table = []
    for c in cases:
        if c not in CASE_INPUTS:
            p.error(f"unknown case {c}")
    print(f"qidcm bench: {', '.join(cases)}; median of {b.runs} run(s); {os.cpu_count()} CPUs", flush=True)
    print(header(), flush=True)
    for c in cases:
        d = b.inputs(CASE_INPUTS[c])
        out = os.path.join(b.work, "out", c)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        if c == "pmap":
            pmap_runs(b, d, out)
        elif c == "compression":
            compression_table = compression_runs(b, d, out)
        elif c == "rtstruct":
            rtstruct_runs(b, d, out)
        elif c == "pet":
            pet_runs(b, d, out)
        elif c == "table":
            table_runs(b, d, out)
        elif c == "qc":
            qc_runs(b, d, out)
        elif c == "qc-index":
            qc_index_runs(b, d, out)
        elif c == "python":
            python_runs(b, d, out)
        else:
            seg_runs(b, c, d, out)
        shutil.rmtree(out, ignore_errors=True)
    path = a.csv or os.path.join(b.work, "bench.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[k for k, _ in COLUMNS] + ["note"])
        w.writeheader()
        for r in b.rows:
            w.writerow(r)
    print(f"\nCSV: {path}")
    if compression_table:
        cpath = os.path.splitext(path)[0] + "-compression.csv"
        with open(cpath, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["encoding", "bytes", "write_s", "read_s", "note"])
            w.writeheader()
            for r in compression_table:
                w.writerow(r)
        print(f"CSV: {cpath}")

    missed = [r for r in b.rows if "MISSED" in r["targets"]]
    missed += [r for r in compression_table if "MISSED" in r.get("note", "")]
    print(f"{len(b.rows)} rows, {len(missed)} with a missed target, {b.failures} failed run(s)")
    return 1 if b.failures else 0


if __name__ == "__main__":
    sys.exit(main())

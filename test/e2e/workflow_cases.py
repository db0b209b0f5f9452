#!/usr/bin/python3
"""End-to-end cases for the batch workflow (workflow/): the Snakemake workflow, its SLURM
profile and qidcm-batch, on one manifest of seven rows made from six qidcm-synth cases:

  seg-1       SEG (binary)
  seg-2       SEG from two label images (images separated by ';'), --compress deflate
  labelmap-3  label map SEG (options: --segmentationType labelmap)
  pm-4        Parametric Map
  (blank id)  SEG; the id defaults to the row number, 5
  broken-6    SEG whose metadata JSON is invalid: the row must fail, alone
  sr-7        TID 1500 SR (dcmqi's example, on ../shared/data)

Cases:
  snakemake     snakemake --cores 2 exits 0; report.csv has the seven rows, the broken one
                failed with the tool's message, the others ok with output_bytes equal to
                the file size; each output is checked with pydicom (SOP class, segments) and
                dciodvfy. A re-run plans and runs the broken row only (the done rows'
                outputs and records are untouched) and it is failed again.
  slurm-dryrun  snakemake --dry-run --profile workflow/profiles/slurm plans one job per
                row; with --group-components rows=3, three cluster jobs; with
                --config shard=2/3, rows 2 and 5.
  batch         qidcm-batch --jobs 2 exits 1 and reports, row by row, the statuses and
                messages of a snakemake run of the same manifest; outputs valid; its
                progress lines end at 7/7; a re-run skips the done rows; on a terminal the
                progress line is rewritten with \\r; --shard 3/3 converts rows 3 and 6.
  batch-qc      qidcm-batch --qc: every ok row has qc/<id>.html and qc/<id>.qc.json and
                "qc": "ok" in its record, the log holds the page command; index.html has a
                row per report row and links the ok rows' pages. A re-run (with --report
                in the output root) keeps the seg and pm pages (same mtimes) and the index
                is still right. --qc with a --report outside the output root is a usage
                error; without qidcm-qc, an ok row stays ok with the tool's message as its
                "qc" and the index's failure makes the exit status 1.
  snakemake-qc  snakemake --config qc=1 makes the same pages, records and index; a re-run
                keeps the seg and pm pages and the index is still right.
  bad-manifest  a manifest error stops qidcm-batch (exit 2) and snakemake (non-zero) with
                one line naming the manifest, the row and the column; outputs under qc/
                and index.html are refused (reserved); snakemake refuses qc=maybe.
snakemake missing is a failure, not a skip.

Usage: workflow_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import driver  # the common command line (test/e2e/driver.py)
from driver import finish, problem, problems  # the common problem list
import csv
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "interop"))
from testdeps import lazy  # noqa: E402  (test-only packages, imported on first use)

pydicom = lazy("pydicom")
WORKFLOW = os.path.join(ROOT, "workflow")
SNAKEFILE = os.path.join(WORKFLOW, "Snakefile")
BATCH = os.path.join(WORKFLOW, "qidcm-batch")
DCIODVFY = os.path.join(ROOT, "test", "interop", "dciodvfy_check.py")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
SR_JSON = os.path.join(SHARED, "dcmqi", "doc", "examples", "sr-tid1500-example.json")
SR_CONTEXT = os.path.join(SHARED, "dcmqi", "data", "sr-example")
SR_LIBRARY = os.path.join(SHARED, "dcmqi", "data", "segmentations", "ct-3slice")

SEG, LABELMAP, PM, SR = ("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.66.7",
                         "1.2.840.10008.5.1.4.1.1.30", "1.2.840.10008.5.1.4.1.1.88.22")
# id -> (SOP class, number of segments or None; a label map also describes the background, segment 0)
EXPECTED = {"seg-1": (SEG, 3), "seg-2": (SEG, 6), "labelmap-3": (LABELMAP, 4), "pm-4": (PM, None),
            "5": (SEG, 3), "sr-7": (SR, None)}
BROKEN = "broken-6"
REPORT_HEADER = ["row", "status", "seconds", "output_bytes", "message", "id", "output", "kind", "source"]
QC_KEPT = [i for i in EXPECTED if i != "sr-7"]  # pages the index reuses (an SR's page is made again)


def run(cmd, **kw):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    print(f"$ {' '.join(cmd)}\n  exit {r.returncode} in {time.monotonic() - t0:.1f} s")
    return r


# ---------------------------------------------------------------------------
# The manifest

def make_manifest(ctx, d):
    """Six synthetic cases under d/data and a TSV manifest of seven rows; returns its path."""
    data = os.path.join(d, "data")
    for n in range(1, 7):
        r = run([ctx.tool("qidcm-synth"), "--outputDirectory", os.path.join(data, f"c{n}"), "--columns", "64",
                 "--rows", "48", "--slices", "12", "--segments", "3", "--seed", str(n), "--format", "nrrd"]
                + (["--parametricMap"] if n == 4 else []))
        if r.returncode:
            raise RuntimeError(r.stderr)
    # Row 2: the same labels twice, as two label images with their own segments.
    shutil.copy(os.path.join(data, "c2", "label.nrrd"), os.path.join(data, "c2", "label-b.nrrd"))
    meta = json.load(open(os.path.join(data, "c2", "meta.json")))
    copies = json.loads(json.dumps(meta["segmentAttributes"][0]))
    for i, s in enumerate(copies):
        s.update(SegmentLabel=s["SegmentLabel"] + " b", TrackingIdentifier=s["TrackingIdentifier"] + "-b",
                 TrackingUniqueIdentifier=f"2.25.{424242000 + i}")
    meta["segmentAttributes"].append(copies)
    json.dump(meta, open(os.path.join(data, "c2", "meta-two.json"), "w"))
    with open(os.path.join(data, "c6", "broken.json"), "w") as f:
        f.write('{"segmentAttributes": [[{"labelID": 1,}]]}\n')
    # The broken row's message must be the tool's own error line, as it prints it.
    c6 = os.path.join(data, "c6")
    r = run([ctx.tool("itkimage2segimage"), "--inputImageList", os.path.join(c6, "label.nrrd"), "--inputMetadata",
             os.path.join(c6, "broken.json"), "--inputDICOMDirectory", os.path.join(c6, "ct"),
             "--outputDICOM", os.path.join(d, "broken-by-hand.dcm")])
    ctx.broken_message = [l for l in r.stderr.splitlines() if "error:" in l][0]
    rows = [  # paths relative to the manifest's directory (d), except the SR's shared data
        ("seg-1", "seg", "data/c1/label.nrrd", "data/c1/meta.json", "data/c1/ct", "", "seg/1.dcm", ""),
        ("seg-2", "seg", "data/c2/label.nrrd;data/c2/label-b.nrrd", "data/c2/meta-two.json", "data/c2/ct", "",
         "seg/2.dcm", "--compress deflate"),
        ("labelmap-3", "seg", "data/c3/label.nrrd", "data/c3/meta.json", "data/c3/ct", "", "labelmap/3.dcm",
         "--segmentationType labelmap --useLabelIDAsSegmentNumber"),
        ("pm-4", "pm", "data/c4/pmap.nrrd", "data/c4/pm-meta.json", "data/c4/ct", "", "pm/4.dcm", ""),
        ("", "", "data/c5/label.nrrd", "data/c5/meta.json", "data/c5/ct", "", "seg/5.dcm", "--skip 0"),
        (BROKEN, "seg", "data/c6/label.nrrd", "data/c6/broken.json", "data/c6/ct", "", "seg/6.dcm", ""),
        ("sr-7", "sr", "", SR_JSON, SR_LIBRARY, SR_CONTEXT, "sr/7.dcm", ""),
    ]
    # id -> (kind, source) as the report must show them: the dicom column, made absolute
    ctx.kinds = {r[0] or "5": (r[1] or "seg", os.path.normpath(os.path.join(d, r[4])) if r[4] else "")
                 for r in rows}
    path = os.path.join(d, "manifest.tsv")
    with open(path, "w") as f:
        f.write("# qidcm workflow test manifest\nid\tkind\timages\tmetadata\tdicom\tcontext\toutput\toptions\n")
        f.writelines("\t".join(r) + "\n" for r in rows)
    return path


# ---------------------------------------------------------------------------
# Checks

def read_report(path):
    """{id: line} of a report, whose columns must be REPORT_HEADER."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            lines = list(reader)
    except OSError as e:
        problem(f"no report: {e}")
        return {}
    if reader.fieldnames != REPORT_HEADER:
        problem(f"{path}: header {reader.fieldnames}")
        return {}
    return {line["id"]: line for line in lines}


def check_outputs(ctx, report, root, label):
    """The report's seven rows against the files under root."""
    if sorted(report) != sorted(list(EXPECTED) + [BROKEN]):
        problem(f"{label}: report rows {sorted(report)}")
        return
    if [report[i]["row"] for i in report] != [str(n) for n in range(1, 8)]:
        problem(f"{label}: report rows out of manifest order: {[report[i]['row'] for i in report]}")
    for row_id, (kind, source) in ctx.kinds.items():
        if (report[row_id]["kind"], report[row_id]["source"]) != (kind, source):
            problem(f"{label}: row {row_id}: kind, source {report[row_id]['kind']!r}, {report[row_id]['source']!r}, "
                    f"expected {kind!r}, {source!r}")
    bad = report[BROKEN]
    out = os.path.join(root, bad["output"])
    if bad["status"] != "failed" or bad["output_bytes"] != "0" or os.path.exists(out):
        problem(f"{label}: broken row: {bad}, output exists: {os.path.exists(out)}")
    if bad["message"] != ctx.broken_message or "broken.json: invalid JSON" not in bad["message"]:
        problem(f"{label}: broken row's message {bad['message']!r}, the tool says {ctx.broken_message!r}")
    log = os.path.join(root, "logs", BROKEN + ".log")
    if not os.path.isfile(log) or bad["message"] not in open(log).read():
        problem(f"{label}: {log} does not hold the tool's message")
    for row_id, (sop, segments) in EXPECTED.items():
        r = report[row_id]
        path = os.path.join(root, r["output"])
        if r["status"] != "ok" or r["message"]:
            problem(f"{label}: row {row_id}: {r}")
            continue
        if not os.path.isfile(path) or r["output_bytes"] != str(os.path.getsize(path)):
            problem(f"{label}: row {row_id}: output_bytes {r['output_bytes']}, file "
                    f"{os.path.getsize(path) if os.path.isfile(path) else 'missing'}")
            continue
        if not float(r["seconds"]) > 0:
            problem(f"{label}: row {row_id}: seconds {r['seconds']}")
        record = json.load(open(os.path.join(root, "logs", row_id + ".result.json")))
        if record["status"] != "ok" or record["output_bytes"] != os.path.getsize(path):
            problem(f"{label}: row {row_id}: result record {record}")
        ds = pydicom.dcmread(path)
        if ds.SOPClassUID != sop:
            problem(f"{label}: row {row_id}: SOP Class {ds.SOPClassUID}, expected {sop}")
        got = len(ds.SegmentSequence) if "SegmentSequence" in ds else None
        if segments is not None and got != segments:
            problem(f"{label}: row {row_id}: {got} segments, expected {segments}")
        if row_id == "seg-2" and ds.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.1.99":
            problem(f"{label}: row seg-2: options not applied (transfer syntax {ds.file_meta.TransferSyntaxUID})")
        v = run([sys.executable, DCIODVFY, path] + (["--labelmap"] if sop == LABELMAP else []))
        if v.returncode:
            problem(f"{label}: row {row_id}: dciodvfy: {v.stdout}{v.stderr}")


def stamps(root, ids):
    """mtime_ns of each done row's output and result record."""
    out = {}
    for row_id in ids:
        record = os.path.join(root, "logs", row_id + ".result.json")
        out[row_id] = (os.stat(os.path.join(root, json.load(open(record))["output"])).st_mtime_ns,
                       os.stat(record).st_mtime_ns)
    return out


def check_qc(root, label, report="report.csv"):
    """The QC pages of the ok rows, their records and logs, and the index of the report."""
    for row_id in EXPECTED:
        record = json.load(open(os.path.join(root, "logs", row_id + ".result.json")))
        missing = [f for f in (row_id + ".html", row_id + ".qc.json")
                   if not os.path.isfile(os.path.join(root, "qc", f))]
        if record.get("qc") != "ok" or missing:
            problem(f"{label}: row {row_id}: qc {record.get('qc')!r}, missing {missing}")
        if "# qc command: " not in open(os.path.join(root, "logs", row_id + ".log")).read():
            problem(f"{label}: row {row_id}: the page command is not in its log")
    if "qc" in broken_record(root) or os.path.exists(os.path.join(root, "qc", BROKEN + ".html")):
        problem(f"{label}: the failed row has a QC page or a qc outcome: {broken_record(root)}")
    index = os.path.join(root, "index.html")
    if not os.path.isfile(index):
        problem(f"{label}: no {index}")
        return
    html = open(index, encoding="utf-8").read()
    rows, shown = len(read_report(os.path.join(root, report))), html.count('<tr class="index-row"')
    if shown != rows or rows != 7:
        problem(f"{label}: index.html has {shown} rows, the report {rows}")
    for row_id in list(EXPECTED) + [BROKEN]:
        linked = f'href="qc/{row_id}.html"' in html
        if linked != (row_id != BROKEN):
            problem(f"{label}: index.html {'links' if linked else 'does not link'} qc/{row_id}.html")


def page_stamps(root):
    """mtime_ns of the pages (and summaries) the index must reuse."""
    return {i: tuple(os.stat(os.path.join(root, "qc", i + ext)).st_mtime_ns for ext in (".html", ".qc.json"))
            for i in QC_KEPT}


def broken_record(root):
    return json.load(open(os.path.join(root, "logs", BROKEN + ".result.json")))


def check_retry(root, before, broken_before, label):
    """After a re-run: the done rows untouched, the broken row run again (a new start time)."""
    after = stamps(root, before)
    for row_id in before:
        if after[row_id] != before[row_id]:
            problem(f"{label}: done row {row_id} was converted again")
    record = broken_record(root)
    if record["status"] != "failed" or record["started"] == broken_before["started"] \
            or record["message"] != broken_before["message"]:
        problem(f"{label}: broken row not retried, or not failed the same way: {record}")


# ---------------------------------------------------------------------------
# Snakemake

def snakemake(ctx, d, manifest, root, *extra, config=()):
    if not shutil.which("snakemake"):
        problem("snakemake is not installed (Debian: apt-get install --no-install-recommends snakemake)")
        raise SystemExit(finish())
    state = os.path.join(d, "smk")
    os.makedirs(state, exist_ok=True)
    return run(["snakemake", "--snakefile", SNAKEFILE, "--directory", state, *extra,
                "--config", f"manifest={manifest}", f"output_root={root}", f"bin={ctx.bin}", *config])


def planned_rows(r):
    """The row ids of the jobs a snakemake (dry-)run lists."""
    return sorted(re.findall(r"^\s*wildcards: id=(\S+)$", r.stdout + r.stderr, re.M))


def case_snakemake(ctx):
    d = driver.fresh_directory(ctx.work, "workflow", "snakemake")
    manifest = make_manifest(ctx, d)
    root = os.path.join(d, "out")
    r = snakemake(ctx, d, manifest, root, "--cores", "2")
    if r.returncode:
        problem(f"snakemake exit {r.returncode}:\n{r.stderr[-3000:]}")
    if planned_rows(r) != sorted(list(EXPECTED) + [BROKEN]):
        problem(f"first run's row jobs: {planned_rows(r)}")
    if os.path.exists(os.path.join(ROOT, ".snakemake")) or os.path.exists(os.path.join(WORKFLOW, ".snakemake")):
        problem(".snakemake state written into the source tree")
    check_outputs(ctx, read_report(os.path.join(root, "report.csv")), root, "snakemake")
    if problems:
        return
    before = stamps(root, EXPECTED)
    for n in (2, 3):  # the failed row is retried on every run, not just the next
        broken = broken_record(root)
        time.sleep(1.1)  # the retried row's start time (in seconds) must differ
        dry = snakemake(ctx, d, manifest, root, "--cores", "2", "--dry-run")
        if dry.returncode or planned_rows(dry) != [BROKEN]:
            problem(f"run {n} dry-run plans rows {planned_rows(dry)}, expected only {BROKEN} (exit {dry.returncode})")
        again = snakemake(ctx, d, manifest, root, "--cores", "2")
        if again.returncode or planned_rows(again) != [BROKEN]:
            problem(f"run {n} ran rows {planned_rows(again)}, expected only {BROKEN} (exit {again.returncode})")
        check_retry(root, before, broken, f"snakemake run {n}")
        report = read_report(os.path.join(root, "report.csv"))
        if len(report) != 7 or report.get(BROKEN, {}).get("status") != "failed":
            problem(f"report after run {n}: {report}")


def case_slurm_dryrun(ctx):
    d = driver.fresh_directory(ctx.work, "workflow", "slurm-dryrun")
    manifest = make_manifest(ctx, d)
    root = os.path.join(d, "out")
    profile = os.path.join(WORKFLOW, "profiles", "slurm")
    r = snakemake(ctx, d, manifest, root, "--dry-run", "--profile", profile)
    if r.returncode:
        problem(f"slurm dry-run exit {r.returncode}:\n{r.stderr[-3000:]}")
    if planned_rows(r) != sorted(list(EXPECTED) + [BROKEN]):
        problem(f"slurm dry-run plans rows {planned_rows(r)}")
    stats = re.search(r"^row\s+(\d+)\s", r.stdout, re.M)
    if not stats or stats.group(1) != "7":
        problem(f"slurm dry-run job stats: {stats.group(0) if stats else 'none'}")
    if os.path.exists(root):
        problem("a dry run wrote into the output root")
    g = snakemake(ctx, d, manifest, root, "--dry-run", "--profile", profile, "--group-components", "rows=3")
    groups = len(re.findall(r"^group job rows", g.stdout, re.M))
    if g.returncode or groups != 3:
        problem(f"--group-components rows=3: {groups} group jobs for 7 rows, expected 3 (exit {g.returncode})")
    s = snakemake(ctx, d, manifest, root, "--dry-run", "--profile", profile, config=["shard=2/3"])
    if s.returncode or planned_rows(s) != ["5", "seg-2"] or "report-2-of-3.csv" not in s.stdout:
        problem(f"shard=2/3 plans rows {planned_rows(s)}, expected rows 2 and 5 (exit {s.returncode})")


# ---------------------------------------------------------------------------
# qidcm-batch

def case_batch(ctx):
    d = driver.fresh_directory(ctx.work, "workflow", "batch")
    manifest = make_manifest(ctx, d)
    ref_root, root = os.path.join(d, "out-snakemake"), os.path.join(d, "out-batch")
    r = snakemake(ctx, d, manifest, ref_root, "--cores", "2")
    if r.returncode:
        problem(f"snakemake exit {r.returncode}")
    ref = read_report(os.path.join(ref_root, "report.csv"))
    cmd = [BATCH, manifest, "--jobs", "2", "--output-root", root, "--bin", ctx.bin]
    b = run(cmd)
    print(b.stderr)
    if b.returncode != 1:
        problem(f"qidcm-batch exit {b.returncode}, expected 1 (one row failed)")
    lines = [l for l in b.stderr.splitlines() if "rows finished" in l]
    if len(lines) != 8 or "7/7 rows finished (0 skipped: done), 1 failed" not in lines[-1] or "\r" in b.stderr:
        problem(f"progress lines: {lines}")
    report = read_report(os.path.join(root, "report.csv"))
    check_outputs(ctx, report, root, "qidcm-batch")
    for row_id, want in ref.items():
        got = report.get(row_id, {})
        for column in ("row", "status", "message", "output"):
            if got.get(column) != want[column]:
                problem(f"row {row_id}: {column} {got.get(column)!r} (qidcm-batch) != {want[column]!r} (snakemake)")
    if problems:
        return
    before, broken = stamps(root, EXPECTED), broken_record(root)
    time.sleep(1.1)
    again = run(cmd + ["--report", os.path.join(d, "again.csv")])
    print(again.stderr)
    if again.returncode != 1 or "7/7 rows finished (6 skipped: done), 1 failed" not in again.stderr:
        problem(f"re-run: exit {again.returncode}, expected 1 and 6 rows skipped")
    check_retry(root, before, broken, "qidcm-batch re-run")
    second = read_report(os.path.join(d, "again.csv"))
    for row_id in EXPECTED:  # done rows: their records, so the very same line
        if second.get(row_id) != report[row_id]:
            problem(f"--report again.csv: row {row_id}: {second.get(row_id)} != {report[row_id]}")
    # On a terminal the progress line is rewritten in place.
    out = terminal_run(cmd)
    if "\r" not in out or "7/7 rows finished (6 skipped: done), 1 failed" not in out:
        problem(f"progress on a terminal: {out!r}")
    # A shard: rows 3 and 6 of 7 (6 is the broken one), with a report of its own.
    shard_root = os.path.join(d, "out-shard")
    s = run([BATCH, manifest, "--shard", "3/3", "--output-root", shard_root, "--bin", ctx.bin])
    shard = read_report(os.path.join(shard_root, "report-3-of-3.csv"))
    if s.returncode != 1 or {i: r["status"] for i, r in shard.items()} != {"labelmap-3": "ok", BROKEN: "failed"}:
        problem(f"--shard 3/3: exit {s.returncode}, report {shard}")


def terminal_run(cmd):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(cmd[0], cmd)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode(errors="replace")


def need_qc_tool(ctx):
    if not os.access(ctx.tool("qidcm-qc"), os.X_OK):
        problem(f"{ctx.tool('qidcm-qc')} is not built")
        raise SystemExit(finish())


def check_qc_without_pages(ctx, d, manifest, cmd):
    """--qc with a --report outside the output root; --qc without qidcm-qc."""
    # --qc needs the report in the output root.
    outside = run(cmd + ["--report", os.path.join(d, "elsewhere.csv")])
    if outside.returncode != 2 or "--qc: --report" not in outside.stderr \
            or os.path.exists(os.path.join(d, "elsewhere.csv")):
        problem(f"--qc --report outside the root: exit {outside.returncode}, {outside.stderr!r}")
    # No qidcm-qc: the row is ok, its qc says why there is no page; the index fails.
    bare = os.path.join(d, "bin-without-qc")
    os.makedirs(bare)
    for tool in ("itkimage2segimage", "itkimage2paramap", "tid1500writer"):
        os.symlink(ctx.tool(tool), os.path.join(bare, tool))
    one = os.path.join(d, "one.tsv")
    with open(manifest) as f, open(one, "w") as g:
        g.writelines([l for l in f if not l.startswith("#")][:2])
    bare_root = os.path.join(d, "out-no-qc")
    n = run([BATCH, one, "--output-root", bare_root, "--bin", bare, "--qc"])
    print(n.stderr)
    record = json.load(open(os.path.join(bare_root, "logs", "seg-1.result.json")))
    want = f"{os.path.join(bare, 'qidcm-qc')}: error: tool not found"
    if record["status"] != "ok" or record.get("qc") != want:
        problem(f"without qidcm-qc: record {record}, expected status ok and qc {want!r}")
    index_error = f"qidcm-batch: error: QC index {os.path.join(bare_root, 'index.html')}: {want}"
    if n.returncode != 1 or index_error not in n.stderr \
            or f"no QC page: {want}" not in n.stderr:
        problem(f"without qidcm-qc: exit {n.returncode} (expected 1), stderr {n.stderr!r}")


def case_batch_qc(ctx):
    need_qc_tool(ctx)
    d = driver.fresh_directory(ctx.work, "workflow", "batch-qc")
    manifest = make_manifest(ctx, d)
    root = os.path.join(d, "out")
    cmd = [BATCH, manifest, "--jobs", "2", "--output-root", root, "--bin", ctx.bin, "--qc"]
    check_qc_without_pages(ctx, d, manifest, cmd)
    b = run(cmd)
    print(b.stderr)
    index = os.path.join(root, "index.html")
    if b.returncode != 1 or f"; QC index: {index}\n" not in b.stderr:
        problem(f"qidcm-batch --qc: exit {b.returncode} (expected 1: a row failed), or no summary line naming the index")
    check_outputs(ctx, read_report(os.path.join(root, "report.csv")), root, "qidcm-batch --qc")
    check_qc(root, "qidcm-batch --qc")
    if problems:
        return
    before, index_before = page_stamps(root), os.stat(index).st_mtime_ns
    time.sleep(1.1)
    again = run(cmd + ["--report", os.path.join(root, "again.csv")])
    print(again.stderr)
    if again.returncode != 1 or "7/7 rows finished (6 skipped: done), 1 failed" not in again.stderr:
        problem(f"re-run: exit {again.returncode}, expected 1 and 6 rows skipped")
    if page_stamps(root) != before:
        problem("re-run: a seg or pm page was made again")
    if os.stat(index).st_mtime_ns == index_before:
        problem("re-run: index.html not written again")
    check_qc(root, "qidcm-batch --qc re-run", "again.csv")


def case_snakemake_qc(ctx):
    need_qc_tool(ctx)
    d = driver.fresh_directory(ctx.work, "workflow", "snakemake-qc")
    manifest = make_manifest(ctx, d)
    root = os.path.join(d, "out")
    r = snakemake(ctx, d, manifest, root, "--cores", "2", config=["qc=1"])
    if r.returncode:
        problem(f"snakemake qc=1 exit {r.returncode}:\n{r.stderr[-3000:]}")
    check_outputs(ctx, read_report(os.path.join(root, "report.csv")), root, "snakemake qc=1")
    check_qc(root, "snakemake qc=1")
    if problems:
        return
    before = page_stamps(root)
    time.sleep(1.1)
    again = snakemake(ctx, d, manifest, root, "--cores", "2", config=["qc=1"])
    if again.returncode or planned_rows(again) != [BROKEN] or "rule qc_index:" not in again.stdout + again.stderr:
        problem(f"snakemake qc=1 re-run: rows {planned_rows(again)}, expected only {BROKEN} and the index "
                f"(exit {again.returncode})")
    if page_stamps(root) != before:
        problem("snakemake qc=1 re-run: a seg or pm page was made again")
    check_qc(root, "snakemake qc=1 re-run")


def case_bad_manifest(ctx):
    d = driver.fresh_directory(ctx.work, "workflow", "bad-manifest")
    manifest = os.path.join(d, "bad.csv")
    with open(manifest, "w") as f:
        f.write("id,kind,images,metadata,output\na,seg,l.nrrd,m.json,a.dcm\nb,segg,l.nrrd,m.json,b.dcm\n")
    want = f"{manifest}: row 2, column 'kind': unknown kind 'segg'"
    r = run([BATCH, manifest, "--output-root", os.path.join(d, "out")])
    if r.returncode != 2 or r.stderr.strip().splitlines() != [f"qidcm-batch: error: {want} (expected seg, pm or sr)"]:
        problem(f"qidcm-batch: exit {r.returncode}, stderr {r.stderr!r}")
    s = snakemake(ctx, d, manifest, os.path.join(d, "out"), "--cores", "1")
    if s.returncode == 0 or want not in s.stderr:
        problem(f"snakemake: exit {s.returncode}, stderr {s.stderr[-2000:]!r}")
    if os.path.exists(os.path.join(d, "out")):
        problem("an invalid manifest wrote into the output root")
    for output in ("qc/a.dcm", "index.html", "./qc/sub/a.dcm"):
        reserved = os.path.join(d, "reserved.csv")
        with open(reserved, "w") as f:
            f.write(f"id,kind,images,metadata,output\na,seg,l.nrrd,m.json,{output}\n")
        want = (f"qidcm-batch: error: {reserved}: row 1, column 'output': '{output}' is reserved for the logs, "
                "the QC pages and the reports")
        r = run([BATCH, reserved, "--output-root", os.path.join(d, "out")])
        if r.returncode != 2 or r.stderr.strip().splitlines() != [want]:
            problem(f"output {output}: exit {r.returncode}, stderr {r.stderr!r}")
    good = os.path.join(d, "good.csv")
    with open(good, "w") as f:
        f.write("id,kind,images,metadata,output\na,seg,l.nrrd,m.json,a.dcm\n")
    q = snakemake(ctx, d, good, os.path.join(d, "out"), "--cores", "1", config=["qc=maybe"])
    if q.returncode == 0 or "qc=maybe: expected true, 1, yes (on) or false, 0, no (off)" not in q.stderr:
        problem(f"snakemake qc=maybe: exit {q.returncode}, stderr {q.stderr[-2000:]!r}")


CASES = {"snakemake": case_snakemake, "slurm-dryrun": case_slurm_dryrun, "batch": case_batch,
         "batch-qc": case_batch_qc, "snakemake-qc": case_snakemake_qc, "bad-manifest": case_bad_manifest}


class Ctx:
    def __init__(self, a):
        self.bin, self.tools, self.work = os.path.abspath(a.bin), a.tools, os.path.abspath(a.work)

    def tool(self, name):
        return os.path.join(self.bin, name)


def main():
    a = driver.case_arguments(CASES, need_tools=False)
    t0 = time.monotonic()
    CASES[a.case](Ctx(a))
    print(f"{a.case}: {time.monotonic() - t0:.1f} s")
    return finish()


if __name__ == "__main__":
    sys.exit(main())

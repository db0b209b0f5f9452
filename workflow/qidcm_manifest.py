"""qidcm batch manifests: shared by the Snakemake workflow (Snakefile) and qidcm-batch.

A manifest is a CSV or TSV file with one conversion per row (see README.md):

    id  kind  images  metadata  dicom  context  output  options

Only the standard library is used. Per output root, each row leaves:
    <root>/<output>                 the DICOM file the tool wrote
    <root>/logs/<id>.log            the command, its exit status, stdout and stderr
    <root>/logs/<id>.result.json    the row's result record (status ok|failed, ...)
    <root>/qc/<id>.html, .qc.json   with qc: the row's QC page and its summary (qidcm-qc)
A row is done when its output exists and its result record says ok. The report is
<root>/report.csv; with qc, qidcm-qc makes the index <root>/index.html from it.
"""
import csv
import functools
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

VERSION = "0.1.0"

COLUMNS = ("id", "kind", "images", "metadata", "dicom", "context", "output", "options")
REQUIRED_COLUMNS = ("metadata", "output")
KINDS = {"seg": "itkimage2segimage", "pm": "itkimage2paramap", "sr": "tid1500writer"}
# Flags a row's columns set; the options column may not repeat them.
SET_FLAGS = {
    "seg": ("--inputImageList", "--inputMetadata", "--inputDICOMDirectory", "--outputDICOM"),
    "pm": ("--inputImage", "--inputMetadata", "--inputDICOMDirectory", "--outputDICOM"),
    "sr": ("--inputMetadata", "--inputImageLibraryDirectory", "--inputCompositeContextDirectory",
           "--outputDICOM"),
}
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
LOGS = "logs"
QC = "qc"  # the QC pages, beside the index (qidcm-qc puts them in <index's directory>/qc)
QC_TOOL = "qidcm-qc"
REPORT_COLUMNS = ("row", "status", "seconds", "output_bytes", "message", "id", "output", "kind", "source")


class ManifestError(Exception):
    """A manifest that cannot be used; the text is one line naming file, row and column."""


class Row:
    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return f"Row({self.number}, {self.id!r}, {self.kind})"


# ---------------------------------------------------------------------------
# Reading and validating

def read_manifest(path):
    """Parses and validates a manifest; returns its rows or raises ManifestError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as e:
        raise ManifestError(f"{path}: cannot read manifest: {e.strerror}")
    lines = [l for l in text.splitlines(keepends=True) if not l.lstrip().startswith("#")]
    if not any(l.strip() for l in lines):
        raise ManifestError(f"{path}: empty manifest (expected a header line: {' '.join(COLUMNS)})")
    reader = csv.reader(lines, delimiter=_delimiter(path, lines))
    header = [h.strip().lower() for h in next(reader)]
    for h in header:
        if h not in COLUMNS:
            raise ManifestError(f"{path}: header: unknown column '{h}' (columns: {', '.join(COLUMNS)})")
    for h in REQUIRED_COLUMNS:
        if h not in header:
            raise ManifestError(f"{path}: header: missing column '{h}'")
    if len(set(header)) != len(header):
        raise ManifestError(f"{path}: header: a column is named twice")
    base = os.path.dirname(os.path.abspath(path))
    rows, ids, outputs = [], {}, {}
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        number = len(rows) + 1
        if len(cells) > len(header):
            raise ManifestError(f"{path}: row {number}: {len(cells)} cells, the header has {len(header)}")
        values = dict(zip(header, (c.strip() for c in cells)))
        row = _row(path, base, number, values)
        for seen, key, column, value in ((ids, row.id, "id", row.id),
                                         (outputs, os.path.normcase(row.output), "output", row.output)):
            if key in seen:
                raise ManifestError(f"{path}: row {number}, column '{column}': "
                                    f"'{value}' is already used by row {seen[key]}")
            seen[key] = number
        rows.append(row)
    if not rows:
        raise ManifestError(f"{path}: no rows")
    return rows


def _delimiter(path, lines):
    ext = os.path.splitext(path)[1].lower()
    if ext in (".tsv", ".tab"):
        return "\t"
    if ext == ".csv":
        return ","
    header = next(l for l in lines if l.strip())
    return "\t" if "\t" in header else ","


def _row(path, base, number, v):
    def fail(column, text):
        raise ManifestError(f"{path}: row {number}, column '{column}': {text}")

    def resolve(p):
        return os.path.normpath(os.path.join(base, os.path.expanduser(p))) if p else ""

    row_id = v.get("id") or str(number)
    if not re.fullmatch(ID_PATTERN, row_id):
        fail("id", f"'{row_id}' is not a name of letters, digits, '.', '_' and '-'")
    kind = (v.get("kind") or "seg").lower()
    if kind not in KINDS:
        fail("kind", f"unknown kind '{kind}' (expected seg, pm or sr)")
    images = [p.strip() for p in v.get("images", "").split(";") if p.strip()]
    if kind == "seg" and not images:
        fail("images", "a seg row needs one or more label images")
    if kind == "seg" and any("," in p for p in images):
        fail("images", "a label image path contains ',' (itkimage2segimage separates its list with ',')")
    if kind == "pm" and len(images) != 1:
        fail("images", f"a pm row needs exactly one image, not {len(images)}")
    if kind == "sr" and images:
        fail("images", "an sr row has no images (tid1500writer reads its metadata only)")
    if v.get("context") and kind != "sr":
        fail("context", "only sr rows have a composite context directory")
    if not v.get("metadata"):
        fail("metadata", "empty (a metadata JSON file is required)")
    output = v.get("output", "")
    norm = os.path.normpath(output) if output else ""
    if not output:
        fail("output", "empty (an output path relative to the output root is required)")
    if os.path.isabs(output) or norm in (".", "..") or norm.startswith(".." + os.sep):
        fail("output", f"'{output}' is not a path inside the output root")
    if norm.split(os.sep)[0] in (LOGS, QC) or re.fullmatch(r"report.*\.csv|index.*\.html", norm):
        fail("output", f"'{output}' is reserved for the logs, the QC pages and the reports")
    try:
        options = list(_split_options(v.get("options", "")))
    except ValueError as e:
        fail("options", f"cannot split: {e}")
    for o in options:
        if o.split("=")[0] in SET_FLAGS[kind]:
            fail("options", f"{o.split('=')[0]} is set by the manifest's columns")
    return Row(number=number, id=row_id, kind=kind, images=[resolve(p) for p in images],
               metadata=resolve(v["metadata"]), dicom=resolve(v.get("dicom", "")),
               context=resolve(v.get("context", "")), output=norm, options=options)


@functools.lru_cache(maxsize=4096)
def _split_options(text):  # shlex is slow, and a collection repeats a few option strings
    return tuple(shlex.split(text))


def select_shard(rows, spec):
    """Rows of shard "K/N" (K in 1..N): every N-th row from row K. Raises ValueError."""
    m = re.fullmatch(r"(\d+)/(\d+)", spec or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"shard '{spec}' is not K/N with 1 <= K <= N")
    k, n = int(m.group(1)), int(m.group(2))
    return [r for r in rows if (r.number - 1) % n == k - 1]


def report_path(root, shard=None):
    """<root>/report.csv, or <root>/report-K-of-N.csv for shard K/N."""
    return os.path.join(root, "report.csv" if not shard else "report-{}-of-{}.csv".format(*shard.split("/")))


def index_path(root, shard=None):
    """<root>/index.html (the QC index), or <root>/index-K-of-N.html for shard K/N."""
    return os.path.join(root, "index.html" if not shard else "index-{}-of-{}.html".format(*shard.split("/")))


# ---------------------------------------------------------------------------
# Paths, commands, state

def output_path(root, row):
    return os.path.join(root, row.output)


def log_path(root, row):
    return os.path.join(root, LOGS, row.id + ".log")


def result_path(root, row):
    return os.path.join(root, LOGS, row.id + ".result.json")


def page_path(root, row):
    return os.path.join(root, QC, row.id + ".html")


def page_summary_path(root, row):
    return os.path.join(root, QC, row.id + ".qc.json")


def command(row, root, bin_dir=None):
    """The tool's command line for a row (the tool by path under bin_dir, or by name on PATH)."""
    tool = KINDS[row.kind]
    cmd = [os.path.join(bin_dir, tool) if bin_dir else tool]
    if row.kind == "seg":
        cmd += ["--inputImageList", ",".join(row.images)]
    elif row.kind == "pm":
        cmd += ["--inputImage", row.images[0]]
    cmd += ["--inputMetadata", row.metadata]
    if row.dicom:
        cmd += ["--inputImageLibraryDirectory" if row.kind == "sr" else "--inputDICOMDirectory", row.dicom]
    if row.context:
        cmd += ["--inputCompositeContextDirectory", row.context]
    return cmd + ["--outputDICOM", output_path(root, row)] + row.options


def qc_command(row, root, bin_dir=None):
    """qidcm-qc's command line for a row's QC page (<root>/qc/<id>.html and its summary)."""
    cmd = [os.path.join(bin_dir, QC_TOOL) if bin_dir else QC_TOOL, "--inputDICOM", output_path(root, row)]
    if row.dicom:
        cmd += ["--inputDICOMDirectory", row.dicom]
    return cmd + ["--outputHTML", page_path(root, row), "--outputSummary", page_summary_path(root, row)]


def index_command(report, index, bin_dir=None):
    """qidcm-qc's command line for the QC index of a report (its outputs are relative to
    the report's directory; the pages go to <index's directory>/qc)."""
    return [os.path.join(bin_dir, QC_TOOL) if bin_dir else QC_TOOL, "--inputReport", report, "--outputHTML", index]


def read_result(root, row):
    try:
        with open(result_path(root, row)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_done(row, root):
    """Done: the output exists and the row's result record says ok (for this output)."""
    r = read_result(root, row)
    return bool(r and r.get("status") == "ok" and r.get("output") == row.output
                and os.path.isfile(output_path(root, row)))


def one_line_error(stderr, returncode):
    """The first stderr line with 'error:', else how the tool ended, else its last line."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    errors = [l for l in lines if "error:" in l]
    if errors:
        return errors[0]
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return lines[-1] if lines else f"exit status {returncode}"


# ---------------------------------------------------------------------------
# Running

def run_tool(cmd, bin_dir=None):
    """Runs a command; returns (exit status, stdout, stderr); 127 for a tool not found."""
    if shutil.which(cmd[0]) is None:
        return 127, "", f"{cmd[0]}: error: tool not found" + ("" if bin_dir else " on PATH")
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def run_row(row, root, bin_dir=None, qc=False):
    """Runs one row; writes its log and result record; returns the record. Never raises
    for a failing tool: the failure is the record's status and message. With qc, an ok
    row's QC page is made next; its outcome is the record's "qc" ("ok" or the error),
    and a failed page does not fail the row."""
    root = os.path.abspath(root)
    out = output_path(root, row)
    os.makedirs(os.path.join(root, LOGS), exist_ok=True)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    for stale in (result_path(root, row), page_path(root, row), page_summary_path(root, row)):
        try:
            os.remove(stale)
        except FileNotFoundError:
            pass
    cmd = command(row, root, bin_dir)
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    t0 = time.monotonic()
    code, stdout, stderr = run_tool(cmd, bin_dir)
    seconds = time.monotonic() - t0
    ok = code == 0 and os.path.isfile(out)
    if ok:
        message = ""
    elif code == 0:
        message = f"{KINDS[row.kind]} exited 0 but wrote no {out}"
    else:
        message = one_line_error(stderr, code)
    record = {"row": row.number, "id": row.id, "kind": row.kind, "status": "ok" if ok else "failed",
              "seconds": round(seconds, 3), "output_bytes": os.path.getsize(out) if ok else 0,
              "message": message, "output": row.output, "exit_status": code, "started": started,
              "command": cmd}
    with open(log_path(root, row), "w") as f:
        f.write(f"# row {row.number} (id {row.id}, {row.kind}), started {started}\n"
                f"# command: {shlex.join(cmd)}\n"
                f"# exit status {code}, {seconds:.3f} s, {record['status']}"
                + (f": {message}" if message else "") + "\n"
                f"--- stdout\n{_ended(stdout)}--- stderr\n{_ended(stderr)}")
    if qc and ok:
        record["qc"] = _make_page(row, root, bin_dir)
    _write_atomically(result_path(root, row), json.dumps(record, indent=1) + "\n")
    return record


def _make_page(row, root, bin_dir):
    """Makes a row's QC page; appends its command and output to the row's log; returns
    "ok" or the one-line error."""
    os.makedirs(os.path.join(root, QC), exist_ok=True)
    cmd = qc_command(row, root, bin_dir)
    t0 = time.monotonic()
    code, stdout, stderr = run_tool(cmd, bin_dir)
    seconds = time.monotonic() - t0
    if code:
        outcome = one_line_error(stderr, code)
    elif not (os.path.isfile(page_path(root, row)) and os.path.isfile(page_summary_path(root, row))):
        outcome = f"{QC_TOOL} exited 0 but wrote no {page_path(root, row)}"
    else:
        outcome = "ok"
    with open(log_path(root, row), "a") as f:
        f.write(f"# qc command: {shlex.join(cmd)}\n"
                f"# exit status {code}, {seconds:.3f} s, qc {outcome}\n"
                f"--- stdout\n{_ended(stdout)}--- stderr\n{_ended(stderr)}")
    return outcome


def write_report(rows, root, report):
    """Writes the summary CSV (one line per row, in manifest order); returns the records.
    A row that has no result record yet is reported as 'pending'."""
    records = []
    lines = []
    for row in rows:
        r = read_result(root, row) or {"status": "pending", "seconds": "", "output_bytes": "", "message": ""}
        records.append(r)
        lines.append([row.number, r["status"], r["seconds"], r["output_bytes"], r["message"], row.id, row.output,
                      row.kind, row.dicom])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REPORT_COLUMNS)
    w.writerows(lines)
    os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
    _write_atomically(report, buf.getvalue())
    return records


def _ended(text):
    return text if not text or text.endswith("\n") else text + "\n"


def _write_atomically(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    """python3 qidcm_manifest.py run-row ROW_JSON --output-root DIR [--bin DIR] [--qc]
    The Snakefile's row jobs: runs one row, passed as the JSON of its Row so that a job
    does not read the whole manifest again (--qc: and makes its QC page). Exit 0
    whatever the row's status."""
    import argparse
    import sys
    p = argparse.ArgumentParser(prog="qidcm_manifest.py")
    p.add_argument("command", choices=["run-row"])
    p.add_argument("row", help="the row, as JSON")
    p.add_argument("--output-root", required=True)
    p.add_argument("--bin")
    p.add_argument("--qc", action="store_true", help="make the row's QC page when it is ok")
    a = p.parse_args(argv)
    r = run_row(Row(**json.loads(a.row)), a.output_root, a.bin, qc=a.qc)
    print(f"qidcm: row {r['row']} ({r['id']}): {r['status']}" + (f": {r['message']}" if r["message"] else "")
          + (f"; QC page: {r['qc']}" if r.get("qc", "ok") != "ok" else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

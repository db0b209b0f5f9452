#!/usr/bin/python3
"""A collection of TID 1500 reports for bench/run.py's table case: one report
of one measurement group with --measurements NUMs (each with a derivation,
two modifiers and a derivation parameter, as radiomics2tid1500 writes them),
written by tid1500writer, then copied --reports times with new SOP Instance
and Series UIDs (pydicom).

Usage: make_reports.py --tools BUILD/apps --output DIR [--reports 1000] [--measurements 100]
"""
import argparse
import json
import os
import subprocess

import pydicom
from pydicom.uid import generate_uid


def code(value, scheme, meaning):
    return {"CodeValue": value, "CodingSchemeDesignator": scheme, "CodeMeaning": meaning}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tools", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--reports", type=int, default=1000)
    p.add_argument("--measurements", type=int, default=100)
    a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    items = []
    for n in range(a.measurements):
        items.append({
            "value": repr(1000.0 / (n + 3.0)),
            "quantity": code(f"R{n:03d}", "99BENCH", f"Feature {n}"),
            "units": code("[hnsf'U]", "UCUM", "Hounsfield unit"),
            "derivationModifier": code("373098007", "SCT", "Mean"),
            "measurementModifiers": [
                {"modifier": code("R800", "99QIDCM", "Image filter"),
                 "modifierValue": code("R810", "99QIDCM", "No filter (original image)")},
                {"modifier": code("R801", "99QIDCM", "Wavelet sub-band"),
                 "modifierValue": code("R831", "99QIDCM", "Wavelet sub-band LLH")}],
            "measurementDerivationParameters": [
                {"derivationParameter": code("Q3RU", "IBSI", "Fixed bin size"), "derivationParameterValue": "25",
                 "derivationParameterUnits": code("[hnsf'U]", "UCUM", "Hounsfield unit")}],
        })
    meta = {
        "SeriesDescription": "bench report", "SeriesNumber": "900", "InstanceNumber": "1",
        "observerContext": {"ObserverType": "PERSON", "PersonObserverName": "Bench^Reader"},
        "Measurements": [{
            "TrackingIdentifier": "lesion", "ReferencedSegment": 1,
            "SourceSeriesForImageSegmentation": "1.2.3.4", "segmentationSOPInstanceUID": "1.2.3.5",
            "Finding": code("108369006", "SCT", "Neoplasm"),
            "measurementAlgorithmIdentification": {"AlgorithmName": "pyradiomics", "AlgorithmVersion": "3.0.1"},
            "measurementItems": items}],
    }
    meta_path = os.path.join(a.output, "report.json")
    json.dump(meta, open(meta_path, "w"), indent=1)
    template = os.path.join(a.output, "template.dcm")
    r = subprocess.run([os.path.join(a.tools, "tid1500writer"), "--inputMetadata", meta_path, "--outputDICOM",
                        template], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit("tid1500writer failed: " + r.stdout + r.stderr)
    ds = pydicom.dcmread(template)
    reports = os.path.join(a.output, "reports")
    os.makedirs(reports, exist_ok=True)
    for n in range(a.reports):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.PatientID = f"BENCH-{n:04d}"
        ds.save_as(os.path.join(reports, f"sr_{n:04d}.dcm"), write_like_original=False)
    os.remove(template)
    print(f"{a.reports} reports of {a.measurements} measurements in {reports}")


if __name__ == "__main__":
    main()

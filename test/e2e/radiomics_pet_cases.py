#!/usr/bin/python3
"""radiomics2tid1500 on PET: the intensity unit of the features.

The SEG is rtstruct2segimage's of the SUV DRO_0_0 structure set, on its PET
series (../shared/data/suv_computation/DRO/DRO_0_0).

Cases:
  suv-from-rwvm   the image library holds the PET and pet2suv's RWVM: the
                  intensity features are in the RWVM's unit, g/ml{SUVbw}
                  (Variance g2/ml2{SUVbw}, TotalEnergy g2/ml2{SUVbw}.mm3, the bin
                  width too); shape and texture features are not; dciodvfy
                  and PixelMed clean
  bqml-default    the PET alone (Units BQML): Bq/ml
  unit-override   --intensityUnit wins over the RWVM
  unit-with-exponent  --intensityUnit cm2/ml{SUVbsa}: Variance in cm4/ml2{SUVbsa}
  normalized      settings with normalize True: [arb'U] and R911 = normalizeScale
                  on the intensity and texture features, not on shape

Usage: radiomics_pet_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import csv
import os
import sys

import seg_common
from seg_common import CaseFailed, SHARED, INTEROP, pydicom

DRO = os.path.join(SHARED, "suv_computation", "DRO", "DRO_0_0")
PT = os.path.join(DRO, "PT")
RS = os.path.join(DRO, "RS", "RS_dro_0_0.dcm")
SUV = ("g/ml{SUVbw}", "UCUM")

FEATURES = {
    "original_firstorder_Mean": "1.0",
    "original_firstorder_Variance": "0.25",
    "original_firstorder_TotalEnergy": "1234.5",
    "original_shape_MeshVolume": "4188.79",
    "original_glcm_Contrast": "2.5",
}


def library(ctx, with_rwvm):
    """A directory of links to the PET files, with pet2suv's RWVM when asked; and the SEG (elsewhere)."""
    lib = ctx.path("library")
    os.makedirs(lib)
    for name in sorted(os.listdir(PT)):
        os.symlink(os.path.join(PT, name), os.path.join(lib, name))
    if with_rwvm:
        ctx.must([ctx.exe("pet2suv"), "--inputDICOMDirectory", PT, "--outputRWVM", os.path.join(lib, "rwvm.dcm")])
    seg_dir = ctx.path("seg")
    os.makedirs(seg_dir)
    seg = os.path.join(seg_dir, "seg.dcm")
    ctx.must([ctx.exe("rtstruct2segimage"), "--inputRTSTRUCT", RS, "--inputDICOMDirectory", PT, "--outputDICOM", seg])
    return lib, seg


def features_csv(ctx, settings):
    path = ctx.path("features.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Image", "Mask", "Label", "diagnostics_Versions_PyRadiomics", "diagnostics_Configuration_Settings"]
                   + list(FEATURES))
        w.writerow(["pet.nrrd", "mask.nrrd", "1", "v3.0.1", settings] + list(FEATURES.values()))
    return path


def convert(ctx, lib, seg, settings="{'binWidth': 0.25, 'voxelArrayShift': 0}", flags=()):
    out = ctx.path("report.dcm")
    r = ctx.must([ctx.exe("radiomics2tid1500"), "--inputFeatures", features_csv(ctx, settings), "--inputSEG", seg,
                  "--inputImageLibraryDirectory", lib, "--outputDICOM", out] + list(flags))
    return out, r.stdout + r.stderr


def nums(path):
    """{quantity meaning: (units (value, scheme), {parameter code: (value, units)})} of the report's NUMs."""
    ds = pydicom.dcmread(path)
    found = {}

    def walk(items):
        for item in items:
            if item.ValueType == "NUM" and item.RelationshipType == "CONTAINS" and "MeasuredValueSequence" in item:
                u = item.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0]
                unit = (str(u.get("CodeValue") or u.get("LongCodeValue")), str(u.CodingSchemeDesignator))
                params = {}
                for child in item.get("ContentSequence", []):
                    if child.ValueType == "NUM" and child.RelationshipType == "INFERRED FROM":
                        pu = child.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0]
                        params[str(child.ConceptNameCodeSequence[0].CodeValue)] = (
                            float(child.MeasuredValueSequence[0].NumericValue),
                            (str(pu.get("CodeValue") or pu.get("LongCodeValue")), str(pu.CodingSchemeDesignator)))
                found[str(item.ConceptNameCodeSequence[0].CodeMeaning)] = (unit, params)
            walk(item.get("ContentSequence", []))

    walk(ds.ContentSequence)
    return found


def quantity(found, prefix):
    hits = [v for k, v in found.items() if k.lower().startswith(prefix.lower())]
    if len(hits) != 1:
        raise CaseFailed(f"{len(hits)} NUMs named like '{prefix}' in {sorted(found)}")
    return hits[0]


def check_units(ctx, found, unit):
    squared = {"g/ml{SUVbw}": "g2/ml2{SUVbw}", "Bq/ml": "Bq2/ml2", "[arb'U]": "[arb'U]2",
               "cm2/ml{SUVbsa}": "cm4/ml2{SUVbsa}"}[unit[0]]
    ctx.check(quantity(found, "Mean intensity")[0] == unit, f"Mean in {quantity(found, 'Mean intensity')[0]}, not {unit}")
    ctx.check(quantity(found, "Intensity variance")[0] == (squared, "UCUM"),
              f"Variance in {quantity(found, 'Intensity variance')[0]}, not {squared}")
    total = [v for k, v in found.items() if "energy" in k.lower()]
    ctx.check(len(total) == 1 and total[0][0] == (squared + ".mm3", "UCUM"), f"TotalEnergy units {total}")
    ctx.check(quantity(found, "Volume of Mesh")[0] == ("mm3", "UCUM"), "MeshVolume not in mm3")
    contrast = quantity(found, "Contrast")
    ctx.check(contrast[0] == ("1", "UCUM"), f"GLCM Contrast in {contrast[0]}")
    ctx.check(contrast[1].get("Q3RU", (None, None))[1] == unit, f"bin width of Contrast {contrast[1].get('Q3RU')}")


# PixelMed's warnings on the PET image library (the DRO's body part code; 123003's meaning, which PS3.16
# now spells "DateTime" and PixelMed's 2022 tables do not): nothing about the measurements.
from pet2suv_cases import PIXELMED_KNOWN  # noqa: E402


def validators(ctx, path):
    ctx.must([sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), path], "dciodvfy_check")
    known = []
    for pattern in PIXELMED_KNOWN:
        known += ["--known", pattern]
    ctx.must([sys.executable, os.path.join(INTEROP, "pixelmed_sr_check.py"), path] + known, "PixelMed")


def case_suv_from_rwvm(ctx):
    lib, seg = library(ctx, True)
    out, log = convert(ctx, lib, seg)
    ctx.check("Real World Value Mapping gives the intensity unit" in log, "no warning naming the RWVM's unit")
    check_units(ctx, nums(out), SUV)
    validators(ctx, out)


def case_bqml_default(ctx):
    lib, seg = library(ctx, False)
    out, _ = convert(ctx, lib, seg)
    check_units(ctx, nums(out), ("Bq/ml", "UCUM"))


def case_unit_override(ctx):
    lib, seg = library(ctx, True)
    out, _ = convert(ctx, lib, seg, flags=["--intensityUnit", "[arb'U]"])
    check_units(ctx, nums(out), ("[arb'U]", "UCUM"))


def case_unit_with_exponent(ctx):
    """A unit that has an exponent already (SUVbsa's cm2/ml): squared, the exponents multiply."""
    lib, seg = library(ctx, False)
    out, _ = convert(ctx, lib, seg, flags=["--intensityUnit", "cm2/ml{SUVbsa}"])
    check_units(ctx, nums(out), ("cm2/ml{SUVbsa}", "UCUM"))


def case_normalized(ctx):
    lib, seg = library(ctx, True)
    out, _ = convert(ctx, lib, seg, settings="{'binWidth': 0.25, 'normalize': True, 'normalizeScale': 100}")
    found = nums(out)
    check_units(ctx, found, ("[arb'U]", "UCUM"))
    for name in ("Mean intensity", "Contrast"):
        ctx.check(quantity(found, name)[1].get("R911", (None,))[0] == 100.0, f"{name}: no R911 = 100")
    ctx.check("R911" not in quantity(found, "Volume of Mesh")[1], "MeshVolume has R911")


CASES = {"suv-from-rwvm": case_suv_from_rwvm, "bqml-default": case_bqml_default,
         "unit-override": case_unit_override, "unit-with-exponent": case_unit_with_exponent,
         "normalized": case_normalized}

if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="radiomics-pet"))

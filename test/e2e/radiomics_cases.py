#!/usr/bin/python3
"""radiomics2tid1500 and tid1500reader --outputTable end to end.

The features are pyradiomics' own reference values
(../shared/data/pyradiomics/data/baseline/baseline_<class>.csv, transposed:
one row per feature, one column per test case), turned here into the batch
CSV (or JSON) pyradiomics writes: one row per case, columns Image, Mask,
Label, diagnostics_*, then original_<class>_<feature> of every class file.
The values are copied as text. The class files' diagnostics differ (each class
was computed with another pyradiomics version, research note section 7); the
rows take the diagnostics of baseline_firstorder.csv (pyradiomics
1.3.0.post61, voxelArrayShift 2000, binWidth 25), DIAGNOSTICS_FROM below.

They are written against dcmqi's SEGs on the 3-slice liver CT
(../shared/data/dcmqi/data/segmentations: liver.dcm, one segment;
partial_overlaps.dcm, five) or a SEG written here with itkimage2segimage on
that CT (one with an Anatomic Region and a label with a comma and quotes).

What each NUM must say is written out in this file (FEATURES, FILTERS,
expected_params): the codes from the IBSI reference manual facts of
doc/design/radiomics2tid1500-research.md section 1.3 (PS3.16's code meaning
where a context group lists the code), the 99QIDCM codes, modifiers and
derivation parameters of doc/radiomics-codes.md, the UCUM units of its
Units section. Nothing is taken from libsrc/radiomics/feature_table.cpp.
The SR is read with pydicom, item by item.

Cases:
  baseline-csv            brain1, every class, label 1 -> liver.dcm segment 1:
                          dciodvfy and PixelMed clean; one group (tracking,
                          references, finding, algorithm); one NUM per
                          feature with code, unit, R800 modifier, derivation
                          parameters, and the value to the last bit
  all-image-types         the same values under 14 image types: filter,
                          sub-band and LBP modifiers, LoG sigma, wavelet
                          level, bin width in the filtered image's unit,
                          units after non-linear filters, gradient and LBP;
                          no two NUMs alike
  baseline-brain1         pyradiomics' brain1 (MR) on the data it was computed on: an MR
  baseline-breast1        series written here from <case>_image.nrrd (its geometry), a SEG
                          of <case>_label.nrrd on it (itkimage2segimage), every class under
                          all 14 image types; units in [arb'U] (the MR default, and given
                          with --intensityUnit for the PixelMed sample); tid1500reader's
                          JSON and table: every value, code, modifier, parameter and unit
  json-input              pyradiomics JSON: one object; a list of two cases
                          with --segmentMap 1=3; JSON Lines; a bare NaN is
                          left out with a warning naming it
  nan-skipped             nan, inf, -inf and empty cells left out, each named
  energy-shift-zero       voxelArrayShift 0: Energy and RMS are IBSI's N8CA and 5ZWQ
                          (R906 = 0); no voxelArrayShift key: R104/R105, no R906
  unknown-feature-warned  unknown feature and image type left out with a
                          warning; StandardDeviation written as R102
  legacy-name-mapped      glcm Dissimilarity and glszm IntensityVariability
                          written as TF7R and JNSA, with a warning
  segment-map             three rows on partial_overlaps.dcm, labels 1, 2, 4
                          with --segmentMap 1=3,2=5 (4 stays 4)
  finding-site            a SEG whose segment has an Anatomic Region: Finding
                          Site
  metadata-observer       --inputMetadata: PERSON observer, SeriesDescription,
                          its Measurements ignored
  bad-*                   refusals: exit status, one line naming the cause,
                          no output file left (bad-value-not-a-number: 'abc'
                          as a feature value, named with its row and column)
  table-one               --outputTable (with --outputMetadata): the
                          documented columns in order, one row per NUM, every
                          cell against the SR
  table-collection        a directory with 3 radiomics SRs (one in a
                          subdirectory), dcmqi's SR and non-SR files; TSV;
                          a named non-SR file refused
  table-csv-quoting       commas, quotes and a line break in text cells
                          round-trip through Python's csv module (TSV: spaces)
  full-precision-roundtrip  tid1500reader's JSON values are the CSV's, exactly
  reader-writer-roundtrip radiomics2tid1500 -> tid1500reader -> tid1500writer
                          gives the same content tree
  help-version            --help names doc/radiomics2tid1500.md and has
                          examples; --version; no arguments exits 2

Usage: radiomics_cases.py --list | <case> --bin <build/apps> --tools <dir> --work <dir>
"""
import ast
import csv
import gzip
import json
import math
import os
import re
import shutil
import sys

import seg_common
from seg_common import CaseFailed, SHARED, INTEROP, SEGS, CT3, np, pydicom

TOOL = "radiomics2tid1500"
READER = "tid1500reader"
PYR_DATA = os.path.join(SHARED, "pyradiomics", "data")
BASELINE = os.path.join(PYR_DATA, "baseline")
SR_EXAMPLE_DIR = os.path.join(SHARED, "dcmqi", "data", "sr-example")
DCMQI_SR = os.path.join(SR_EXAMPLE_DIR, "sr.dcm")
EXAMPLES = os.path.join(SHARED, "dcmqi", "doc", "examples")
LIVER = os.path.join(SEGS, "liver.dcm")
OVERLAPS = os.path.join(SEGS, "partial_overlaps.dcm")
TINY_SEG = os.path.join(SEGS, "23x38x3", "seg", "label.seg")  # on another series than ct-3slice
LIVER_LABEL = os.path.join(SEGS, "liver_seg.nrrd")
CT_SLICE = os.path.join(CT3, "01.dcm")

CLASSES = ["firstorder", "shape", "shape2D", "glcm", "glrlm", "glszm", "gldm", "ngtdm"]
TEXTURE = ("glcm", "glrlm", "glszm", "gldm", "ngtdm")
DIAGNOSTICS_FROM = "firstorder"
ENHANCED_SR = "1.2.840.10008.5.1.4.1.1.88.22"
SEG_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
HU = "[hnsf'U]"
ARB = "[arb'U]"

# ---------------------------------------------------------------- what each feature is
# (class, feature) -> (code value, scheme, code meaning, unit kind). Unit kinds:
# mm3, mm2, mm, /mm, 1, U (the image's intensity unit), U2, U2.mm3.
# IBSI codes and PS3.16 meanings: research note section 1.3 (IBSI manual M,
# PS3.16 context groups D, MEDimage E); IBSI's intensity statistics (UHIW) are
# in no context group, so their meanings are the manual's names. The 99QIDCM
# codes are qidcm's own, doc/radiomics-codes.md. Energy and RootMeanSquared:
# the baseline was computed with voxelArrayShift 2000, so never N8CA / 5ZWQ.
IBSI, Q = "IBSI", "99QIDCM"
FEATURES = {
    # firstorder: IBSI intensity-based statistics (UHIW) and intensity histogram (ZVCW, CID 7478)
    ("firstorder", "Energy"): ("R104", Q, "Intensity-based energy with intensity shift", "U2"),
    ("firstorder", "TotalEnergy"): ("R103", Q, "Total energy (pyradiomics)", "U2.mm3"),
    ("firstorder", "Entropy"): ("TLU2", IBSI, "Intensity Histogram Entropy", "1"),
    ("firstorder", "Minimum"): ("1GSF", IBSI, "Minimum intensity", "U"),
    ("firstorder", "10Percentile"): ("QG58", IBSI, "10th intensity percentile", "U"),
    ("firstorder", "90Percentile"): ("8DWT", IBSI, "90th intensity percentile", "U"),
    ("firstorder", "Maximum"): ("84IY", IBSI, "Maximum intensity", "U"),
    ("firstorder", "Mean"): ("Q4LE", IBSI, "Mean intensity", "U"),
    ("firstorder", "Median"): ("Y12H", IBSI, "Median intensity", "U"),
    ("firstorder", "InterquartileRange"): ("SALO", IBSI, "Intensity interquartile range", "U"),
    ("firstorder", "Range"): ("2OJQ", IBSI, "Intensity range", "U"),
    ("firstorder", "MeanAbsoluteDeviation"): ("4FUA", IBSI, "Intensity-based mean absolute deviation", "U"),
    ("firstorder", "RobustMeanAbsoluteDeviation"): ("1128", IBSI, "Intensity-based robust mean absolute deviation", "U"),
    ("firstorder", "RootMeanSquared"): ("R105", Q, "Root mean square intensity with intensity shift", "U"),
    ("firstorder", "StandardDeviation"): ("R102", Q, "Intensity standard deviation (pyradiomics)", "U"),
    ("firstorder", "Skewness"): ("KE2A", IBSI, "Intensity skewness", "1"),
    ("firstorder", "Kurtosis"): ("R101", Q, "Intensity kurtosis, not excess (pyradiomics)", "1"),  # IPH6 + 3
    ("firstorder", "Variance"): ("ECT3", IBSI, "Intensity variance", "U2"),
    ("firstorder", "Uniformity"): ("BJ5W", IBSI, "Intensity Histogram Uniformity", "1"),
    # shape: IBSI morphology (HCUG), CID 7477 (and 7470/7471/7472)
    ("shape", "MeshVolume"): ("RNU0", IBSI, "Volume of Mesh", "mm3"),
    ("shape", "VoxelVolume"): ("YEKZ", IBSI, "Volume from Voxel Summation", "mm3"),
    ("shape", "SurfaceArea"): ("C0JK", IBSI, "Surface Area of Mesh", "mm2"),
    ("shape", "SurfaceVolumeRatio"): ("2PR5", IBSI, "Surface to Volume Ratio", "/mm"),
    ("shape", "Sphericity"): ("QCFX", IBSI, "Sphericity", "1"),
    ("shape", "Maximum3DDiameter"): ("L0JK", IBSI, "Maximum 3D Diameter of a Mesh", "mm"),
    ("shape", "Maximum2DDiameterSlice"): ("R111", Q, "Maximum 2D diameter (Slice)", "mm"),
    ("shape", "Maximum2DDiameterColumn"): ("R112", Q, "Maximum 2D diameter (Column)", "mm"),
    ("shape", "Maximum2DDiameterRow"): ("R113", Q, "Maximum 2D diameter (Row)", "mm"),
    ("shape", "MajorAxisLength"): ("TDIC", IBSI, "Major Axis in 3D Length", "mm"),
    ("shape", "MinorAxisLength"): ("P9VJ", IBSI, "Minor Axis in 3D Length", "mm"),
    ("shape", "LeastAxisLength"): ("7J51", IBSI, "Least Axis in 3D Length", "mm"),
    ("shape", "Elongation"): ("Q3CK", IBSI, "Elongation", "1"),
    ("shape", "Flatness"): ("N17B", IBSI, "Flatness", "1"),
    # shape2D: no IBSI feature (IBSI morphology is 3D only)
    ("shape2D", "MeshSurface"): ("R121", Q, "Mesh surface area (2D)", "mm2"),
    ("shape2D", "PixelSurface"): ("R122", Q, "Pixel surface area (2D)", "mm2"),
    ("shape2D", "Perimeter"): ("R123", Q, "Mesh perimeter (2D)", "mm"),
    ("shape2D", "PerimeterSurfaceRatio"): ("R124", Q, "Perimeter to surface ratio (2D)", "/mm"),
    ("shape2D", "Sphericity"): ("R125", Q, "Sphericity (2D)", "1"),
    ("shape2D", "MaximumDiameter"): ("R127", Q, "Maximum diameter (2D)", "mm"),
    ("shape2D", "MajorAxisLength"): ("R128", Q, "Major axis length (2D)", "mm"),
    ("shape2D", "MinorAxisLength"): ("R129", Q, "Minor axis length (2D)", "mm"),
    ("shape2D", "Elongation"): ("R130", Q, "Elongation (2D)", "1"),
    # glcm: IBSI LFYI, CID 7467
    ("glcm", "Autocorrelation"): ("QWB0", IBSI, "Autocorrelation of GLCM", "1"),
    ("glcm", "JointAverage"): ("60VM", IBSI, "Joint Average of GLCM", "1"),
    ("glcm", "ClusterProminence"): ("AE86", IBSI, "Cluster Prominence of GLCM", "1"),
    ("glcm", "ClusterShade"): ("7NFM", IBSI, "Cluster Shade of GLCM", "1"),
    ("glcm", "ClusterTendency"): ("DG8W", IBSI, "Cluster Tendency of GLCM", "1"),
    ("glcm", "Contrast"): ("ACUI", IBSI, "Contrast of GLCM", "1"),
    ("glcm", "Correlation"): ("NI2N", IBSI, "Correlation of GLCM", "1"),
    ("glcm", "DifferenceAverage"): ("TF7R", IBSI, "Difference Average of GLCM", "1"),
    ("glcm", "DifferenceEntropy"): ("NTRS", IBSI, "Difference Entropy of GLCM", "1"),
    ("glcm", "DifferenceVariance"): ("D3YU", IBSI, "Difference Variance of GLCM", "1"),
    ("glcm", "JointEnergy"): ("8ZQL", IBSI, "Angular Second Moment of GLCM", "1"),
    ("glcm", "JointEntropy"): ("TU9B", IBSI, "Joint Entropy of GLCM", "1"),
    ("glcm", "Imc1"): ("R8DG", IBSI, "First Measure of Information Correlation of GLCM", "1"),
    ("glcm", "Imc2"): ("JN9H", IBSI, "Second Measure of Information Correlation of GLCM", "1"),
    ("glcm", "Idm"): ("WF0Z", IBSI, "Inverse Difference Moment of GLCM", "1"),
    ("glcm", "Idmn"): ("1QCO", IBSI, "Normalized Inverse Difference Moment of GLCM", "1"),
    ("glcm", "Id"): ("IB1Z", IBSI, "Inverse Difference of GLCM", "1"),
    ("glcm", "Idn"): ("NDRX", IBSI, "Normalized Inverse Difference of GLCM", "1"),
    ("glcm", "InverseVariance"): ("E8JP", IBSI, "Inverse Variance of GLCM", "1"),
    ("glcm", "MaximumProbability"): ("GYBY", IBSI, "Joint Maximum of GLCM", "1"),
    ("glcm", "SumAverage"): ("ZGXS", IBSI, "Sum Average of GLCM", "1"),
    ("glcm", "SumEntropy"): ("P6QZ", IBSI, "Sum Entropy of GLCM", "1"),
    ("glcm", "SumSquares"): ("UR99", IBSI, "Joint Variance of GLCM", "1"),
    ("glcm", "MCC"): ("R141", Q, "Maximal correlation coefficient of GLCM", "1"),
    # glrlm: IBSI TP0I, CID 7475
    ("glrlm", "ShortRunEmphasis"): ("22OV", IBSI, "Short Runs Emphasis", "1"),
    ("glrlm", "LongRunEmphasis"): ("W4KF", IBSI, "Long Runs Emphasis", "1"),
    ("glrlm", "GrayLevelNonUniformity"): ("R5YN", IBSI, "Gray Level Nonuniformity in Runs", "1"),
    ("glrlm", "GrayLevelNonUniformityNormalized"): ("OVBL", IBSI, "Normalized Gray Level Nonuniformity in Runs", "1"),
    ("glrlm", "RunLengthNonUniformity"): ("W92Y", IBSI, "Run Length Nonuniformity", "1"),
    ("glrlm", "RunLengthNonUniformityNormalized"): ("IC23", IBSI, "Normalized Run Length Nonuniformity", "1"),
    ("glrlm", "RunPercentage"): ("9ZK5", IBSI, "Run Percentage", "1"),
    ("glrlm", "GrayLevelVariance"): ("8CE5", IBSI, "Gray Level Variance in Runs", "1"),
    ("glrlm", "RunVariance"): ("SXLW", IBSI, "Run Length Variance", "1"),
    ("glrlm", "RunEntropy"): ("HJ9O", IBSI, "Run Entropy", "1"),
    ("glrlm", "LowGrayLevelRunEmphasis"): ("V3SW", IBSI, "Low Gray Level Run Emphasis", "1"),
    ("glrlm", "HighGrayLevelRunEmphasis"): ("G3QZ", IBSI, "High Gray Level Run Emphasis", "1"),
    ("glrlm", "ShortRunLowGrayLevelEmphasis"): ("HTZT", IBSI, "Short Run Low Gray Level Emphasis", "1"),
    ("glrlm", "ShortRunHighGrayLevelEmphasis"): ("GD3A", IBSI, "Short Run High Gray Level Emphasis", "1"),
    ("glrlm", "LongRunLowGrayLevelEmphasis"): ("IVPO", IBSI, "Long Run Low Gray Level Emphasis", "1"),
    ("glrlm", "LongRunHighGrayLevelEmphasis"): ("3KUM", IBSI, "Long Run High Gray Level Emphasis", "1"),
    # glszm: IBSI 9SAK, CID 7476. The last six are the rows pyradiomics-dcm's table gets wrong.
    ("glszm", "SmallAreaEmphasis"): ("5QRC", IBSI, "Small Zone Emphasis", "1"),
    ("glszm", "LargeAreaEmphasis"): ("48P8", IBSI, "Large Zone Emphasis", "1"),
    ("glszm", "GrayLevelNonUniformity"): ("JNSA", IBSI, "Gray Level Nonuniformity of Size Zone Counts", "1"),
    ("glszm", "GrayLevelNonUniformityNormalized"): ("Y1RO", IBSI, "Normalized Gray Level Nonuniformity of Size Zone Counts", "1"),
    ("glszm", "SizeZoneNonUniformity"): ("4JP3", IBSI, "Zone Size Nonuniformity", "1"),
    ("glszm", "SizeZoneNonUniformityNormalized"): ("VB3A", IBSI, "Normalized Zone Size Nonuniformity", "1"),
    ("glszm", "ZonePercentage"): ("P30P", IBSI, "Size Zone Percentage", "1"),
    ("glszm", "GrayLevelVariance"): ("BYLV", IBSI, "Gray Level Variance in Size Zones", "1"),
    ("glszm", "ZoneVariance"): ("3NSA", IBSI, "Zone Size Variance", "1"),
    ("glszm", "ZoneEntropy"): ("GU8N", IBSI, "Zone Size Entropy", "1"),
    ("glszm", "LowGrayLevelZoneEmphasis"): ("XMSY", IBSI, "Low Gray Level Zone Emphasis", "1"),
    ("glszm", "HighGrayLevelZoneEmphasis"): ("5GN9", IBSI, "High Gray Level Zone Emphasis", "1"),
    ("glszm", "SmallAreaLowGrayLevelEmphasis"): ("5RAI", IBSI, "Small Zone Low Gray Level Emphasis", "1"),
    ("glszm", "SmallAreaHighGrayLevelEmphasis"): ("HW1V", IBSI, "Small Zone High Gray Level Emphasis", "1"),
    ("glszm", "LargeAreaLowGrayLevelEmphasis"): ("YH51", IBSI, "Large Zone Low Gray Level Emphasis", "1"),
    ("glszm", "LargeAreaHighGrayLevelEmphasis"): ("J17V", IBSI, "Large Zone High Gray Level Emphasis", "1"),
    # gldm = IBSI NGLDM (REK0), CID 7501
    ("gldm", "SmallDependenceEmphasis"): ("SODN", IBSI, "Low dependence emphasis", "1"),
    ("gldm", "LargeDependenceEmphasis"): ("IMOQ", IBSI, "High dependence emphasis", "1"),
    ("gldm", "GrayLevelNonUniformity"): ("FP8K", IBSI, "Grey level non-uniformity of NGLDM", "1"),
    ("gldm", "DependenceNonUniformity"): ("Z87G", IBSI, "Dependence count non-uniformity", "1"),
    ("gldm", "DependenceNonUniformityNormalized"): ("OKJI", IBSI, "Dependence count non-uniformity normalized", "1"),
    ("gldm", "GrayLevelVariance"): ("1PFV", IBSI, "Grey level variance of NGLDM", "1"),
    ("gldm", "DependenceVariance"): ("DNX2", IBSI, "Dependence count variance", "1"),
    ("gldm", "DependenceEntropy"): ("FCBV", IBSI, "Dependence count entropy", "1"),
    ("gldm", "LowGrayLevelEmphasis"): ("TL9H", IBSI, "Low grey level count emphasis", "1"),
    ("gldm", "HighGrayLevelEmphasis"): ("OAE7", IBSI, "High grey level count emphasis", "1"),
    ("gldm", "SmallDependenceLowGrayLevelEmphasis"): ("EQ3F", IBSI, "Low dependence low grey level emphasis", "1"),
    ("gldm", "SmallDependenceHighGrayLevelEmphasis"): ("JA6D", IBSI, "Low dependence high grey level emphasis", "1"),
    ("gldm", "LargeDependenceLowGrayLevelEmphasis"): ("NBZI", IBSI, "High dependence low grey level emphasis", "1"),
    ("gldm", "LargeDependenceHighGrayLevelEmphasis"): ("9QMG", IBSI, "High dependence high grey level emphasis", "1"),
    # ngtdm: IBSI IPET, CID 7500
    ("ngtdm", "Coarseness"): ("QCDE", IBSI, "Coarseness of NGTDM", "1"),
    ("ngtdm", "Contrast"): ("65HE", IBSI, "Contrast of NGTDM", "1"),
    ("ngtdm", "Busyness"): ("NQ30", IBSI, "Busyness of NGTDM", "1"),
    ("ngtdm", "Complexity"): ("HDEZ", IBSI, "Complexity of NGTDM", "1"),
    ("ngtdm", "Strength"): ("1X9X", IBSI, "Strength of NGTDM", "1"),
}
# pyradiomics' older names read as the current feature (doc/radiomics-codes.md, "Legacy pyradiomics names").
LEGACY = {("glcm", "Dissimilarity"): ("glcm", "DifferenceAverage"),
          ("glszm", "IntensityVariability"): ("glszm", "GrayLevelNonUniformity")}

# ---------------------------------------------------------------- image types (doc/radiomics-codes.md)
FILTER_MOD = ("R800", Q, "Image filter")
SUBBAND_MOD = ("R801", Q, "Wavelet sub-band")
LBP_MOD = ("R802", Q, "LBP 3D output")
LOG_SIGMA = ("R901", Q, "Laplacian of Gaussian sigma")
WAVELET_LEVEL = ("R902", Q, "Wavelet decomposition level")
SHIFT = ("R906", Q, "Voxel array shift")
GLDM_ALPHA = ("R907", Q, "GLDM dependence cutoff alpha")
DISTANCE = ("R908", Q, "Texture neighbour distance")
BIN_WIDTH = ("Q3RU", IBSI, "Fixed bin size")


def filt(code, meaning, unit, sub=None, lbp=None, params=()):
    """One image type: its R800 value, R801/R802 modifiers, its own derivation
    parameters (concept, value, unit) and the intensity unit of the filtered image."""
    mods = [(FILTER_MOD, (code, Q, meaning))]
    if sub:
        mods.append((SUBBAND_MOD, sub))
    if lbp:
        mods.append((LBP_MOD, lbp))
    return {"mods": mods, "params": list(params), "U": unit}


def band(letters, code):
    return (code, Q, f"Wavelet sub-band {letters}")


FILTERS = {
    "original": filt("R810", "No filter (original image)", HU),
    "wavelet-LLH": filt("R811", "Stationary wavelet transform", HU, sub=band("LLH", "R831"),
                        params=[(WAVELET_LEVEL, 1.0, "1")]),
    "wavelet-HHL": filt("R811", "Stationary wavelet transform", HU, sub=band("HHL", "R836"),
                        params=[(WAVELET_LEVEL, 1.0, "1")]),
    "wavelet2-LLL": filt("R811", "Stationary wavelet transform", HU, sub=band("LLL", "R830"),
                         params=[(WAVELET_LEVEL, 2.0, "1")]),
    "log-sigma-3-0-mm-3D": filt("R812", "Laplacian of Gaussian", HU, params=[(LOG_SIGMA, 3.0, "mm")]),
    "log-sigma-1-mm-3D": filt("R812", "Laplacian of Gaussian", HU, params=[(LOG_SIGMA, 1.0, "mm")]),
    "square": filt("R813", "Square", ARB),
    "squareroot": filt("R814", "Square root", ARB),
    "logarithm": filt("R815", "Logarithm", ARB),
    "exponential": filt("R816", "Exponential", ARB),
    "gradient": filt("R817", "Gradient magnitude", HU + "/mm"),
    "lbp-2D": filt("R818", "Local binary pattern 2D", "1"),
    "lbp-3D-m1": filt("R819", "Local binary pattern 3D", "1", lbp=("R851", Q, "LBP 3D level 1")),
    "lbp-3D-k": filt("R819", "Local binary pattern 3D", "1", lbp=("R849", Q, "LBP 3D kurtosis")),
}
ALL_TYPES = list(FILTERS)


def filter_unit(image_type, image_unit=HU):
    """The intensity unit of an image type's filtered image when the image's unit is image_unit:
    FILTERS' unit, written for CT, with [hnsf'U] replaced (linear filters keep the image's unit,
    the gradient divides it by mm; non-linear filters give [arb'U], LBP 1)."""
    u = FILTERS[image_type]["U"]
    return u.replace(HU, image_unit) if image_unit != HU else u
SAMPLE_FEATURES = ("Mean", "Variance", "Energy", "TotalEnergy", "Entropy", "MeshVolume", "Contrast", "RunEntropy",
                   "ZoneEntropy", "DependenceEntropy")
ENABLED_ALL = ("{'Original': {}, 'Wavelet': {'level': 2}, 'LoG': {'sigma': [3.0, 1]}, 'Square': {}, "
               "'SquareRoot': {}, 'Logarithm': {}, 'Exponential': {}, 'Gradient': {}, 'LBP2D': {}, "
               "'LBP3D': {'lbp3DLevels': 1}}")


# ---------------------------------------------------------------- units (UCUM)

def ucum_dims(unit):
    """{atom: exponent} of a UCUM product/quotient term, read left to right as
    UCUM does ('a/b.c' is (a/b).c); annotations dropped; '1' is {}."""
    u = re.sub(r"\{[^}]*\}", "", unit)
    dims = {}
    sign = 1
    for tok in re.findall(r"[./]|[^./]+", u):
        if tok == ".":
            sign = 1
            continue
        if tok == "/":
            sign = -1
            continue
        if tok == "1":
            continue
        m = re.fullmatch(r"(\[[^\]]+\]|[A-Za-z%]+)(-?\d+)?", tok)
        if not m:
            return {"<unparsed>": unit}
        atom, exp = m.group(1), int(m.group(2) or 1)
        dims[atom] = dims.get(atom, 0) + sign * exp
        sign = 1
    return {k: v for k, v in dims.items() if v}


def power(dims, n):
    return {k: v * n for k, v in dims.items()}


def times(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return {k: v for k, v in out.items() if v}


def expected_unit(kind, image_unit):
    """(exact UCUM string or None, dimensions) of a unit kind for an image whose intensity unit is image_unit."""
    if kind in ("mm3", "mm2", "mm", "/mm", "1"):
        return kind, ucum_dims(kind)
    u = ucum_dims(image_unit)
    if kind == "U":
        return image_unit, u
    if kind == "U2":
        return ({HU: HU + "2", ARB: ARB + "2", "1": "1"}.get(image_unit), power(u, 2))
    if kind == "U2.mm3":
        # U = 1 (LBP): only the dimension is checked ('mm3' and '1.mm3' are the same UCUM unit)
        return ({HU: HU + "2.mm3", ARB: ARB + "2.mm3"}.get(image_unit), times(power(u, 2), {"mm": 3}))
    raise ValueError(kind)


# ---------------------------------------------------------------- the input files

def read_class_file(cls):
    with open(os.path.join(BASELINE, f"baseline_{cls}.csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def baseline(case="brain1"):
    """(diagnostics {name: text} of DIAGNOSTICS_FROM's file, [(class, feature, text)]) of one case."""
    diag, feats = {}, []
    for cls in CLASSES:
        header, rows = read_class_file(cls)
        col = header.index(case + "_shape2D" if cls == "shape2D" else case)
        for r in rows:
            name, text = r[0], r[col]
            if name.startswith("diagnostics_"):
                if cls == DIAGNOSTICS_FROM:
                    diag[name] = text
                continue
            image_type, c, feature = name.split("_")
            if image_type != "original" or c != cls:
                raise CaseFailed(f"baseline_{cls}.csv: unexpected row {name}")
            feats.append((cls, feature, text))
    return diag, feats


def settings_of(diag):
    return ast.literal_eval(diag["diagnostics_Configuration_Settings"])


def feature_row(case="brain1", label=1, types=("original",), diag_overrides=None):
    """One batch-CSV row (an ordered dict of text): Image, Mask, Label, the diagnostics, the features.
    Shape features only for 'original' (pyradiomics computes shape on the original image only)."""
    diag, feats = baseline(case)
    diag.update(diag_overrides or {})
    row = {"Image": f"{case}_image.nrrd", "Mask": f"{case}_label.nrrd"}
    if label is not None:
        row["Label"] = str(label)
    row.update(diag)
    for t in types:
        for cls, feature, text in feats:
            if t == "original" or cls not in ("shape", "shape2D"):
                row[f"{t}_{cls}_{feature}"] = text
    return row


def write_csv(path, rows):
    header = []
    for r in rows:
        header += [k for k in r if k not in header]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")  # what pyradiomics' batch mode writes
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(k, "") for k in header])
    return path


def is_feature(name):
    parts = name.split("_")
    return len(parts) == 3 and parts[1] in CLASSES


def features_of(row):
    """{column: text} of a row's feature columns."""
    return {k: v for k, v in row.items() if is_feature(k)}


def json_case(row):
    """A row as pyradiomics' JSON writes a case: diagnostics as objects, numbers as numbers."""
    out = {}
    for k, v in row.items():
        if k in ("diagnostics_Configuration_Settings", "diagnostics_Configuration_EnabledImageTypes") or \
                (k.startswith("diagnostics_") and v.startswith("(")):
            out[k] = json.loads(json.dumps(ast.literal_eval(v)))
        elif is_feature(k):
            out[k] = float(v)
        elif k == "Label":
            out[k] = int(v)
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------- reading the SR and the SEG (pydicom)

def code3(c):
    v = c.get("CodeValue") or c.get("LongCodeValue") or c.get("URNCodeValue")
    return (str(v), str(c.CodingSchemeDesignator), str(c.get("CodeMeaning", "")))


def name_of(item):
    seq = item.get("ConceptNameCodeSequence")
    return code3(seq[0]) if seq else (None, None, None)


def kids(item):
    return list(item.ContentSequence) if "ContentSequence" in item else []


def is_(item, value, scheme="DCM"):
    return name_of(item)[:2] == (value, scheme)


def ds_text(mv):
    v = mv.NumericValue
    return str(getattr(v, "original_string", v)).strip()


class Num:
    pass


def parse_num(item):
    n = Num()
    n.concept = name_of(item)
    mvs = item.get("MeasuredValueSequence")
    if mvs:
        mv = mvs[0]
        n.ds = ds_text(mv)
        n.fd = float(mv.FloatingPointValue) if "FloatingPointValue" in mv else None
        n.value = n.fd if n.fd is not None else float(n.ds)
        n.unit = code3(mv.MeasurementUnitsCodeSequence[0])
    else:  # no value (e.g. a NaN dcmqi could not store)
        n.ds, n.fd, n.value, n.unit = "", None, None, None
    ks = kids(item)
    n.modifiers = [(name_of(k), code3(k.ConceptCodeSequence[0])) for k in ks
                   if k.RelationshipType == "HAS CONCEPT MOD" and k.ValueType == "CODE"]
    n.params = []
    for k in ks:
        if k.RelationshipType == "INFERRED FROM" and k.ValueType == "NUM":
            pmv = k.MeasuredValueSequence[0]
            n.params.append((name_of(k), float(pmv.FloatingPointValue) if "FloatingPointValue" in pmv
                             else float(ds_text(pmv)), code3(pmv.MeasurementUnitsCodeSequence[0])))
    n.algorithm = [k.TextValue for k in ks if is_(k, "111001")]
    n.version = [k.TextValue for k in ks if is_(k, "111003")]
    n.algorithm_params = [k.TextValue for k in ks if is_(k, "111002")]
    n.derivation = [code3(k.ConceptCodeSequence[0]) for k in ks if is_(k, "121401")]
    return n


def modifier(n, concept):
    vals = [v for c, v in n.modifiers if c[:2] == concept[:2]]
    return vals


class Group:
    pass


def parse_report(path):
    """(dataset, [Group]) of a TID 1500 report, read item by item."""
    ds = pydicom.dcmread(path)
    groups = []
    for container in kids(ds):
        if not is_(container, "126010"):
            continue
        for g in kids(container):
            if not is_(g, "125007"):
                continue
            G = Group()
            ks = kids(g)
            G.tracking_id = [str(k.TextValue) for k in ks if is_(k, "112039")]
            G.tracking_uid = [str(k.UID) for k in ks if is_(k, "112040")]
            G.segment = []
            for k in ks:
                if is_(k, "121191"):
                    ref = k.ReferencedSOPSequence[0]
                    nums = ref.get("ReferencedSegmentNumber")
                    nums = [int(x) for x in (nums if isinstance(nums, (list, pydicom.multival.MultiValue)) else [nums])]
                    G.segment.append((str(ref.ReferencedSOPClassUID), str(ref.ReferencedSOPInstanceUID), nums))
            G.source_series = [str(k.UID) for k in ks if is_(k, "121232")]
            G.finding = [code3(k.ConceptCodeSequence[0]) for k in ks if is_(k, "121071")]
            G.finding_site = [code3(k.ConceptCodeSequence[0]) for k in ks
                              if is_(k, "363698007", "SCT") or is_(k, "G-C0E3", "SRT")]
            G.rwvm = [str(k.ReferencedSOPSequence[0].ReferencedSOPInstanceUID) for k in ks if is_(k, "126100")]
            G.method = [code3(k.ConceptCodeSequence[0]) for k in ks
                        if is_(k, "370129005", "SCT") or is_(k, "G-C036", "SRT")]
            G.laterality = [code3(c.ConceptCodeSequence[0]) for k in ks
                            if is_(k, "363698007", "SCT") or is_(k, "G-C0E3", "SRT")
                            for c in kids(k) if is_(c, "272741003", "SCT") or is_(c, "G-C171", "SRT")]
            G.algorithm = [str(k.TextValue) for k in ks if is_(k, "111001")]
            G.version = [str(k.TextValue) for k in ks if is_(k, "111003")]
            G.nums = [parse_num(k) for k in ks if k.RelationshipType == "CONTAINS" and k.ValueType == "NUM"]
            groups.append(G)
    return ds, groups


def seg_info(path):
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    info = {"uid": str(ds.SOPInstanceUID), "class": str(ds.SOPClassUID), "ds": ds,
            "series": [str(s.SeriesInstanceUID) for s in ds.get("ReferencedSeriesSequence", [])],
            "segments": {}}
    for s in ds.SegmentSequence:
        ar = s.get("AnatomicRegionSequence")
        info["segments"][int(s.SegmentNumber)] = {
            "label": str(s.get("SegmentLabel", "")),
            "type": code3(s.SegmentedPropertyTypeCodeSequence[0]),
            "region": code3(ar[0]) if ar else None}
    return info


# ---------------------------------------------------------------- running and validating

def run_tool(ctx, args):
    return ctx.run([ctx.exe(TOOL)] + list(args))


def convert(ctx, features, seg, out_name="report.dcm", library=CT3, flags=()):
    """radiomics2tid1500 that must succeed; returns (path, CompletedProcess)."""
    out = ctx.path(out_name)
    r = run_tool(ctx, ["--inputFeatures", features, "--inputSEG", seg, "--inputImageLibraryDirectory", library,
                       "--outputDICOM", out] + list(flags))
    if r.returncode != 0:
        raise CaseFailed(f"{TOOL} exit {r.returncode}: {(r.stdout + r.stderr).strip()[-800:]}")
    if not os.path.isfile(out):
        raise CaseFailed(f"{TOOL} exit 0 but no {out}")
    return out, r


def dciodvfy(ctx, path):
    r = ctx.run([sys.executable, os.path.join(INTEROP, "dciodvfy_check.py"), path])
    ctx.check(r.returncode == 0, f"dciodvfy reports errors on {os.path.basename(path)}")


# PixelMed warnings that are not about our content (none so far).
PIXELMED_KNOWN = []


def pixelmed(ctx, path):
    cmd = [sys.executable, os.path.join(INTEROP, "pixelmed_sr_check.py"), path]
    for k in PIXELMED_KNOWN:
        cmd += ["--known", k]
    r = ctx.run(cmd)
    ctx.check(r.returncode == 0, f"PixelMed DicomSRValidator reports errors or warnings on {os.path.basename(path)}")


def warnings_naming(text, column, row_word=True):
    """The output lines naming a column (and, for a CSV, a row)."""
    return [l for l in text.splitlines() if column in l and (not row_word or re.search(r"\brow\b", l, re.I))]


def tool_output(r):
    return r.stdout + r.stderr


# ---------------------------------------------------------------- checks of a report

def check_report_level(ctx, ds, seg, library=CT3):
    ctx.check(str(ds.SOPClassUID) == ENHANCED_SR, f"SOP class {ds.SOPClassUID}, expected Enhanced SR")
    ctx.check(str(ds.Modality) == "SR", "Modality is not SR")
    t = ds.ContentTemplateSequence[0] if "ContentTemplateSequence" in ds else None
    ctx.check(t is not None and str(t.TemplateIdentifier) == "1500", "root template is not TID 1500")
    ctx.check(name_of(ds)[:2] == ("126000", "DCM"), "root concept is not Imaging Measurement Report")
    for attr in ("PatientID", "StudyInstanceUID"):
        ctx.check(str(ds.get(attr)) == str(seg["ds"].get(attr)),
                  f"{attr} {ds.get(attr)} is not the SEG's {seg['ds'].get(attr)}")
    evidence = {str(i.ReferencedSOPInstanceUID) for st in ds.get("CurrentRequestedProcedureEvidenceSequence", [])
                for se in st.ReferencedSeriesSequence for i in se.ReferencedSOPSequence}
    library_uids = set()
    for n in sorted(os.listdir(library)):
        d = pydicom.dcmread(os.path.join(library, n), stop_before_pixels=True)
        if str(d.SeriesInstanceUID) in seg["series"]:
            library_uids.add(str(d.SOPInstanceUID))
    ctx.check(seg["uid"] in evidence, "the SEG is not in the evidence")
    ctx.check(library_uids <= evidence, f"evidence lacks {len(library_uids - evidence)} source image(s)")
    lib = [i for c in kids(ds) if is_(c, "111028") for g in kids(c) for i in kids(g) if i.ValueType == "IMAGE"]
    ctx.check(len(lib) == len(library_uids), f"image library has {len(lib)} entries, {len(library_uids)} expected")


def check_group(ctx, g, seg, number, where):
    """Tracking, references, finding, finding site of one group measuring segment `number` of seg."""
    s = seg["segments"][number]
    ctx.check(g.tracking_id == [s["label"]], f"{where}: Tracking Identifier {g.tracking_id}, expected [{s['label']!r}]")
    ctx.check(len(g.tracking_uid) == 1 and re.fullmatch(r"[0-9]+(\.[0-9]+)*", g.tracking_uid[0] or "")
              and len(g.tracking_uid[0]) <= 64, f"{where}: Tracking Unique Identifier {g.tracking_uid}")
    ctx.check(g.segment == [(SEG_CLASS, seg["uid"], [number])],
              f"{where}: Referenced Segment {g.segment}, expected segment {number} of {seg['uid']}")
    ctx.check(g.source_series == seg["series"][:1], f"{where}: Source series {g.source_series}, SEG's {seg['series']}")
    ctx.check(g.finding == [s["type"]], f"{where}: Finding {g.finding}, SEG segment type {s['type']}")
    want_site = [s["region"]] if s["region"] else []
    ctx.check(g.finding_site == want_site, f"{where}: Finding Site {g.finding_site}, expected {want_site}")
    ctx.check(not g.rwvm, f"{where}: unexpected RWVM reference")


def split_column(column):
    t, cls, feature = column.split("_")
    return t, cls, feature


def expected_params(cls, feature, image_type, settings, image_unit=HU):
    """[(concept, value, unit or set of accepted units)] the NUM of a feature carries as INFERRED FROM NUMs
    (doc/radiomics-codes.md, Derivation parameters; only what applies and was set)."""
    f = FILTERS[image_type]
    fu = filter_unit(image_type, image_unit)
    out = [(c, v, {u}) for c, v, u in f["params"]]
    if cls == "firstorder" and feature in ("Energy", "TotalEnergy", "RootMeanSquared") and \
            settings.get("voxelArrayShift") is not None:  # set, 0 included
        # the unit is "U": the filtered image's, or the image's (the doc does not say which for filters)
        out.append((SHIFT, float(settings["voxelArrayShift"]), {fu, image_unit}))
    discretised = cls in TEXTURE or (cls == "firstorder" and feature in ("Entropy", "Uniformity"))
    if discretised and settings.get("binWidth") is not None:
        out.append((BIN_WIDTH, float(settings["binWidth"]), {fu}))
    if cls in ("glcm", "gldm", "ngtdm") and settings.get("distances"):
        out.append((DISTANCE, float(settings["distances"][0]), {"1"}))
    if cls == "gldm" and settings.get("gldm_a") is not None:
        out.append((GLDM_ALPHA, float(settings["gldm_a"]), {"1"}))
    return out


def feature_code(cls, feature, settings):
    code = FEATURES[LEGACY.get((cls, feature), (cls, feature))]
    if cls == "firstorder" and settings.get("voxelArrayShift", "unknown") == 0:  # no key: the shift is unknown
        code = {"Energy": ("N8CA", IBSI, "Intensity-based energy", "U2"),
                "RootMeanSquared": ("5ZWQ", IBSI, "Root mean square intensity", "U")}.get(feature, code)
    return code


def num_key(n):
    """What tells two NUMs apart: concept, modifiers, derivation parameters."""
    return (n.concept[:2], tuple(sorted((c[:2], v[:2]) for c, v in n.modifiers)),
            tuple(sorted((c[:2], v) for c, v, _ in n.params)))


def expected_key(column, settings):
    t, cls, feature = split_column(column)
    code, scheme, _, _ = feature_code(cls, feature, settings)
    mods = tuple(sorted((c[:2], v[:2]) for c, v in FILTERS[t]["mods"]))
    params = tuple(sorted((c[:2], v) for c, v, _ in expected_params(cls, feature, t, settings)))
    return ((code, scheme), mods, params)


def check_value(ctx, n, text, where):
    """float(FloatingPointValue if present else NumericValue) == float(text) exactly; the DS fits and is close."""
    want = float(text)
    ctx.check(len(n.ds) <= 16, f"{where}: Numeric Value {n.ds!r} is longer than 16 characters")
    ctx.check(n.value == want, f"{where}: value {n.value!r} (DS {n.ds!r}, FD {n.fd!r}) is not {text} to the last bit")
    try:
        dsv = float(n.ds)
        ctx.check(math.isclose(dsv, want, rel_tol=1e-11, abs_tol=1e-300),
                  f"{where}: Numeric Value {n.ds!r} is not {text} rounded")
        if dsv != want:
            ctx.check(n.fd is not None, f"{where}: Numeric Value {n.ds!r} rounds {text} and there is no Floating Point Value")
    except ValueError:
        ctx.fail(f"{where}: Numeric Value {n.ds!r} is not a number")


def check_num(ctx, n, column, text, settings, algorithm, where, image_unit=HU):
    t, cls, feature = split_column(column)
    code, scheme, meaning, kind = feature_code(cls, feature, settings)
    f = FILTERS[t]
    ctx.check(n.concept == (code, scheme, meaning), f"{where}: concept {n.concept}, expected {(code, scheme, meaning)}")
    exact, dims = expected_unit(kind, filter_unit(t, image_unit))
    ctx.check(n.unit[1] == "UCUM" and n.unit[2] != "", f"{where}: units {n.unit} are not a UCUM code with a meaning")
    if exact is not None:
        ctx.check(n.unit[0] == exact, f"{where}: unit {n.unit[0]!r}, expected {exact!r}")
    ctx.check(ucum_dims(n.unit[0]) == dims, f"{where}: unit {n.unit[0]!r} is not of dimension {dims}")
    # modifiers: Image filter always, sub-band / LBP output where they apply, nothing else
    got = sorted((c, v) for c, v in n.modifiers)
    want = sorted(f["mods"])
    ctx.check(got == want, f"{where}: modifiers {got}, expected {want}")
    ctx.check(not n.derivation, f"{where}: unexpected Derivation modifier {n.derivation}")
    # derivation parameters
    want_p = expected_params(cls, feature, t, settings, image_unit)
    got_p = sorted((c, v) for c, v, _ in n.params)
    ctx.check(got_p == sorted((c, v) for c, v, _ in want_p),
              f"{where}: derivation parameters {got_p}, expected {sorted((c, v) for c, v, _ in want_p)}")
    for c, v, units in want_p:
        for gc, gv, gu in n.params:
            if gc == c and gv == v:
                ctx.check(gu[1] == "UCUM" and gu[0] in units, f"{where}: parameter {c[2]} in {gu}, expected one of {units}")
    # algorithm (TID 4019 under every NUM)
    name, version, params = algorithm
    ctx.check(n.algorithm == [name], f"{where}: Algorithm Name {n.algorithm}, expected [{name!r}]")
    ctx.check(n.version == [version], f"{where}: Algorithm Version {n.version}, expected [{version!r}]")
    check_value(ctx, n, text, where)


def check_algorithm_params(ctx, n, row, where):
    """The settings and the enabled image types, normalised to JSON, as algorithm parameters: one TEXT each,
    the JSON alone or after a name ('Settings: {...}', 'EnabledImageTypes: {...}')."""
    found = {}
    for p in n.algorithm_params:
        m = re.fullmatch(r"(?:([A-Za-z]+): )?(.*)", p, re.S)
        try:
            found[m.group(1) or ""] = json.loads(m.group(2))
        except ValueError:
            ctx.fail(f"{where}: algorithm parameter is not JSON (nor 'Name: JSON'): {p[:120]!r}")
    for key, name in (("diagnostics_Configuration_Settings", "Settings"),
                      ("diagnostics_Configuration_EnabledImageTypes", "EnabledImageTypes")):
        if key not in row:
            continue
        raw = row[key]
        want = json.loads(json.dumps(ast.literal_eval(raw) if isinstance(raw, str) else raw))
        ctx.check(want in found.values(), f"{where}: {key} (as JSON: {json.dumps(want)[:100]}...) not among the "
                                          f"algorithm parameters {[p[:80] for p in n.algorithm_params]}")
        if name in found:
            ctx.check(found[name] == want, f"{where}: algorithm parameter {name} is not {key}")


def check_features(ctx, g, row, where, skipped=(), renamed=None, image_unit=HU):
    """Every feature column of row (but `skipped`) is one NUM of group g, checked in full; nothing else."""
    settings = row["diagnostics_Configuration_Settings"]
    settings = ast.literal_eval(settings) if isinstance(settings, str) else settings
    algorithm = ("pyradiomics", str(row["diagnostics_Versions_PyRadiomics"]), None)
    columns = {k: str(v) for k, v in features_of(row).items() if k not in skipped}
    by_key = {}
    for n in g.nums:
        by_key.setdefault(num_key(n), []).append(n)
    dups = {k: len(v) for k, v in by_key.items() if len(v) > 1}
    ctx.check(not dups, f"{where}: {len(dups)} NUM identities (concept, modifiers, parameters) occur more than once: "
                        f"{list(dups)[:3]}")
    ids = [(n.concept[:2], tuple(sorted((c[:2], v[:2]) for c, v in n.modifiers))) for n in g.nums]
    if len(set(ids)) != len(ids) and len(set(num_key(n) for n in g.nums)) == len(g.nums):
        pass  # same concept and modifiers, told apart by parameters (LoG sigma, wavelet level): allowed
    ctx.check(len(g.nums) == len(columns), f"{where}: {len(g.nums)} NUMs, {len(columns)} feature columns")
    unmatched = []
    for column, text in columns.items():
        hits = by_key.get(expected_key(column, settings), [])
        if len(hits) != 1:
            unmatched.append(column)
            continue
        check_num(ctx, hits[0], column, text, settings, algorithm, f"{where} {column}", image_unit)
    ctx.check(not unmatched, f"{where}: {len(unmatched)} column(s) with no NUM of the expected concept, modifiers "
                             f"and parameters: {unmatched[:8]}")
    if g.nums:
        check_algorithm_params(ctx, g.nums[0], row, where)


def check_no_output(ctx, out):
    ctx.check(not os.path.exists(out), f"{os.path.basename(out)} was written")
    d = os.path.dirname(out)
    left = [n for n in os.listdir(d)] if os.path.isdir(d) else []
    ctx.check(not left, f"files left in the output directory: {left}")


# ---------------------------------------------------------------- a SEG written here

def make_seg(ctx, label, region=True, name="seg-ar"):
    """liver_seg.nrrd on ct-3slice as a SEG: one segment, `label`, Mass, with an Anatomic Region (Liver)."""
    d = ctx.path(name)
    os.makedirs(d, exist_ok=True)
    attr = {"labelID": 1, "SegmentLabel": label, "SegmentAlgorithmType": "MANUAL",
            "SegmentedPropertyCategoryCodeSequence": {"CodeValue": "49755003", "CodingSchemeDesignator": "SCT",
                                                      "CodeMeaning": "Morphologically Altered Structure"},
            "SegmentedPropertyTypeCodeSequence": {"CodeValue": "4147007", "CodingSchemeDesignator": "SCT",
                                                  "CodeMeaning": "Mass"},
            "recommendedDisplayRGBValue": [255, 0, 0]}
    if region:
        attr["AnatomicRegionSequence"] = {"CodeValue": "10200004", "CodingSchemeDesignator": "SCT",
                                          "CodeMeaning": "Liver"}
    meta = {"ContentCreatorName": "Reader^One", "SeriesDescription": "Liver mass", "SeriesNumber": "300",
            "InstanceNumber": "1", "ClinicalTrialSeriesID": "1", "ClinicalTrialTimePointID": "1",
            "segmentAttributes": [[attr]]}
    mj = os.path.join(d, "seg.json")
    with open(mj, "w") as f:
        json.dump(meta, f)
    out = os.path.join(d, "seg.dcm")
    ctx.must([ctx.exe("itkimage2segimage"), "--inputImageList", LIVER_LABEL, "--inputMetadata", mj,
              "--inputDICOMDirectory", CT3, "--outputDICOM", out], "itkimage2segimage")
    return out


# ---------------------------------------------------------------- cases

CASES = {}


def case(name):
    def deco(f):
        CASES[name] = f
        return f
    return deco


@case("baseline-csv")
def case_baseline_csv(ctx):
    row = feature_row("brain1", 1)
    features = write_csv(ctx.path("features.csv"), [row])
    out, r = convert(ctx, features, LIVER)
    dciodvfy(ctx, out)
    pixelmed(ctx, out)
    seg = seg_info(LIVER)
    ds, groups = parse_report(out)
    check_report_level(ctx, ds, seg)
    if not ctx.check(len(groups) == 1, f"{len(groups)} measurement groups, expected 1"):
        return
    g = groups[0]
    check_group(ctx, g, seg, 1, "group 1")
    ctx.check(len(features_of(row)) == 116, f"{len(features_of(row))} baseline features of brain1, expected 116")
    check_features(ctx, g, row, "group 1")
    # The known feature -> code pairs, spelled out once more by concept: every class, and the
    # rows pyradiomics-dcm's table gets wrong (XMSY 5GN9 5RAI HW1V YH51 J17V 3NSA GU8N, Kurtosis, Energy).
    by_code = {n.concept[0]: n for n in g.nums}
    known = {"XMSY": "original_glszm_LowGrayLevelZoneEmphasis", "5GN9": "original_glszm_HighGrayLevelZoneEmphasis",
             "5RAI": "original_glszm_SmallAreaLowGrayLevelEmphasis", "HW1V": "original_glszm_SmallAreaHighGrayLevelEmphasis",
             "YH51": "original_glszm_LargeAreaLowGrayLevelEmphasis", "J17V": "original_glszm_LargeAreaHighGrayLevelEmphasis",
             "3NSA": "original_glszm_ZoneVariance", "GU8N": "original_glszm_ZoneEntropy",
             "QWB0": "original_glcm_Autocorrelation", "R8DG": "original_glcm_Imc1", "JN9H": "original_glcm_Imc2",
             "Q4LE": "original_firstorder_Mean", "RNU0": "original_shape_MeshVolume", "R101": "original_firstorder_Kurtosis",
             "R104": "original_firstorder_Energy", "9ZK5": "original_glrlm_RunPercentage",
             "SODN": "original_gldm_SmallDependenceEmphasis", "QCDE": "original_ngtdm_Coarseness",
             "R121": "original_shape2D_MeshSurface"}
    for code, column in known.items():
        n = by_code.get(code)
        if ctx.check(n is not None, f"no NUM with code {code} ({column})"):
            ctx.check(n.value == float(row[column]), f"{code}: value {n.value!r} is not {column} = {row[column]}")
    for bad in ("IPH6", "N8CA", "5ZWQ", "S1RA", "K26C"):
        ctx.check(bad not in by_code, f"code {bad} written (pyradiomics' value is not that IBSI feature here)")
    ctx.check(not any(n.concept[1] == "99PYRADIOMICS" for n in g.nums), "hash-based 99PYRADIOMICS codes written")
    units = {c: by_code[c].unit[0] for c in ("RNU0", "C0JK", "L0JK", "2PR5", "Q4LE", "ECT3", "R103", "TLU2", "ACUI")
             if c in by_code}
    ctx.check(units == {"RNU0": "mm3", "C0JK": "mm2", "L0JK": "mm", "2PR5": "/mm", "Q4LE": HU, "ECT3": HU + "2",
                        "R103": HU + "2.mm3", "TLU2": "1", "ACUI": "1"}, f"units {units}")


@case("all-image-types")
def case_all_image_types(ctx):
    row = feature_row("brain1", 1, types=ALL_TYPES,
                      diag_overrides={"diagnostics_Configuration_EnabledImageTypes": ENABLED_ALL})
    features = write_csv(ctx.path("features.csv"), [row])
    out, r = convert(ctx, features, LIVER)
    dciodvfy(ctx, out)
    # PixelMed runs out of Java heap on the 1325 NUMs: it validates a sample, every image type with
    # the intensity features of each power and one feature of each texture class.
    sample = {k: v for k, v in row.items() if not is_feature(k) or split_column(k)[2] in SAMPLE_FEATURES}
    sample_out, _ = convert(ctx, write_csv(ctx.path("sample.csv"), [sample]), LIVER, "sample.dcm")
    pixelmed(ctx, sample_out)
    ds, groups = parse_report(sample_out)
    if ctx.check(len(groups) == 1, f"sample: {len(groups)} measurement groups, expected 1"):
        check_features(ctx, groups[0], sample, "sample")
    ds, groups = parse_report(out)
    if not ctx.check(len(groups) == 1, f"{len(groups)} measurement groups, expected 1"):
        return
    g = groups[0]
    check_features(ctx, g, row, "group 1")
    settings = settings_of(row)
    # The same feature under each type: distinct NUMs, the right filter each.
    mean = {}
    for n in g.nums:
        if n.concept[0] == "Q4LE":
            filt_ = modifier(n, FILTER_MOD)
            mean.setdefault(filt_[0][0] if filt_ else None, []).append(n)
    ctx.check("R813" in mean and "R814" in mean and mean["R813"] is not mean.get("R814"),
              f"square and squareroot Mean are not told apart: filters {sorted(k for k in mean if k)}")
    ctx.check(len(mean.get("R811", [])) == 3 and len({num_key(n) for n in mean.get("R811", [])}) == 3,
              "the three wavelet Means are not three distinct NUMs")
    ctx.check(len(mean.get("R812", [])) == 2 and sorted(v for n in mean.get("R812", []) for c, v, _ in n.params
                                                        if c[0] == "R901") == [1.0, 3.0],
              "the LoG Means do not carry sigma 1 and 3 mm")
    keys = [num_key(n) for n in g.nums]
    ctx.check(len(keys) == len(set(keys)), "two NUMs are identical in concept, modifiers and derivation parameters")
    ctx.check(len(g.nums) == len(features_of(row)), f"{len(g.nums)} NUMs for {len(features_of(row))} columns")
    # units after each filter, spelled out
    want_units = {"R810": HU, "R811": HU, "R812": HU, "R813": ARB, "R814": ARB, "R815": ARB, "R816": ARB,
                  "R817": HU + "/mm", "R818": "1", "R819": "1"}
    for code, nums in mean.items():
        for n in nums:
            ctx.check(n.unit[0] == want_units.get(code), f"Mean after filter {code}: unit {n.unit[0]!r}, "
                                                         f"expected {want_units.get(code)!r}")
    ctx.check(expected_key("gradient_glcm_Contrast", settings) in set(keys), "no gradient GLCM Contrast NUM")


# ---------------------------------------------------------------- pyradiomics' own cases on their own data (MR)

MR_CLASS = "1.2.840.10008.5.1.4.1.1.4"
NRRD_DTYPES = {"short": "i2", "ushort": "u2", "unsigned short": "u2", "int": "i4", "uint": "u4", "uchar": "u1",
               "unsigned char": "u1", "char": "i1", "float": "f4", "double": "f8"}
# the anatomy of each pyradiomics test case (its images are MR: brain1 a brain, breast1 a breast)
MR_CASES = {"brain1": {"region": ("12738006", "SCT", "Brain"), "body_part": "BRAIN"},
            "breast1": {"region": ("76752008", "SCT", "Breast"), "body_part": "BREAST"}}
# PixelMed's sample (it takes ~0.3 s a NUM): features of every class and unit kind on the original image,
# Mean under every image type, GLCM Contrast (bin width in the filtered unit) after a wavelet and the gradient
MR_SAMPLE_ORIGINAL = {("firstorder", "Mean"), ("firstorder", "Variance"), ("firstorder", "Energy"),
                      ("firstorder", "TotalEnergy"), ("firstorder", "Entropy"), ("shape", "MeshVolume"),
                      ("shape", "SurfaceArea"), ("shape2D", "MeshSurface"), ("glcm", "Contrast"),
                      ("glrlm", "RunEntropy"), ("glszm", "ZoneEntropy"), ("gldm", "DependenceEntropy"),
                      ("ngtdm", "Busyness")}
MR_SAMPLE_FILTERED = {("firstorder", "Mean")}
MR_SAMPLE_EXTRA = {"wavelet-LLH_glcm_Contrast", "gradient_glcm_Contrast", "gradient_firstorder_Variance"}


def in_mr_sample(column):
    t, cls, feature = split_column(column)
    return (cls, feature) in (MR_SAMPLE_ORIGINAL if t == "original" else MR_SAMPLE_FILTERED) or \
        column in MR_SAMPLE_EXTRA


def read_nrrd(path):
    """(grid {size, origin, spacing, direction (unit axis vectors)}, array (slices, rows, columns)) of a
    3-D scalar NRRD in LPS with attached raw or gzip data."""
    blob = open(path, "rb").read()
    if not blob.startswith(b"NRRD000"):
        raise CaseFailed(f"{path}: not a NRRD file")
    cut = blob.index(b"\n\n")
    fields = {}
    for line in blob[:cut].decode("latin-1").splitlines()[1:]:
        if line.startswith("#") or ":=" in line or ":" not in line:
            continue
        k, _, v = line.partition(":")
        fields[k.strip().lower()] = v.strip()
    if fields.get("dimension") != "3" or fields.get("space") not in ("left-posterior-superior", "LPS"):
        raise CaseFailed(f"{path}: dimension {fields.get('dimension')}, space {fields.get('space')}")
    data = blob[cut + 2:]
    if fields.get("encoding") in ("gzip", "gz"):
        data = gzip.decompress(data)
    elif fields.get("encoding") != "raw":
        raise CaseFailed(f"{path}: encoding {fields.get('encoding')}")
    dt = np.dtype(("<" if fields.get("endian", "little") == "little" else ">") + NRRD_DTYPES[fields["type"]])
    sizes = [int(v) for v in fields["sizes"].split()]
    a = np.frombuffer(data, dtype=dt, count=sizes[0] * sizes[1] * sizes[2]).reshape(sizes[2], sizes[1], sizes[0])
    vec = lambda t: [float(x) for x in t.strip().strip("()").split(",")]  # noqa: E731
    dirs = [vec(v) for v in fields["space directions"].replace(")", ")|").split("|") if v.strip()]
    spacing = [math.sqrt(sum(x * x for x in d)) for d in dirs]
    grid = {"size": sizes, "origin": vec(fields["space origin"]), "spacing": spacing,
            "direction": [[x / s for x in d] for d, s in zip(dirs, spacing)]}
    return grid, a.astype(dt.newbyteorder("="))


def ds_number(v):
    """A DS of at most 16 characters, as near v as DS allows."""
    return pydicom.valuerep.format_number_as_ds(float(v))


def write_mr_series(directory, case_name, image_path):
    """An MR series (MR Image Storage, explicit VR little endian, one file per slice) with the NRRD's
    geometry and pixel values: slice k at origin + k * spacing_z * axis_z. Returns (series UID, grid, array)."""
    grid, a = read_nrrd(image_path)
    d, sp, o = grid["direction"], grid["spacing"], grid["origin"]
    normal = np.cross(d[0], d[1])
    if abs(abs(float(np.dot(normal, d[2]))) - 1) > 1e-6:
        raise CaseFailed(f"{image_path}: the slice axis is not normal to the rows and columns")
    if a.min() < -32768 or a.max() > 65535 or (a.min() < 0 and a.max() > 32767):
        raise CaseFailed(f"{image_path}: values {a.min()}..{a.max()} fit neither int16 nor uint16")
    signed = int(a.min() < 0)
    pixels = a.astype("<i2" if signed else "<u2")
    os.makedirs(directory, exist_ok=True)
    root = f"qidcm-radiomics-{case_name}"
    uid = lambda *p: pydicom.uid.generate_uid(entropy_srcs=[root] + [str(x) for x in p])  # noqa: E731
    study, series, frame = uid("study"), uid("series"), uid("frame")
    info = MR_CASES[case_name]
    for k in range(a.shape[0]):
        pos = [o[i] + k * sp[2] * d[2][i] for i in range(3)]
        ds = pydicom.dataset.Dataset()
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
        ds.SOPClassUID, ds.SOPInstanceUID = MR_CLASS, uid("image", k)
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20240102"
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "101500"
        ds.AccessionNumber = ""
        ds.Modality = "MR"
        ds.Manufacturer = "qidcm test (pyradiomics test data)"
        ds.ReferringPhysicianName = ""
        ds.StudyDescription = f"pyradiomics {case_name}"
        ds.SeriesDescription = f"{case_name}_image.nrrd"
        ds.PatientName = f"pyradiomics^{case_name}"
        ds.PatientID = f"pyradiomics-{case_name}"
        ds.PatientBirthDate = ""
        ds.PatientSex = "O"
        ds.BodyPartExamined = info["body_part"]
        ds.ScanningSequence = "RM"
        ds.SequenceVariant = "NONE"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "2D"
        ds.SliceThickness = ds_number(sp[2])
        ds.SpacingBetweenSlices = ds_number(sp[2])
        ds.RepetitionTime = ""
        ds.EchoTime = ""
        ds.EchoTrainLength = ""
        ds.PatientPosition = "HFS"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.StudyID = "1"
        ds.SeriesNumber = "1"
        ds.InstanceNumber = str(k + 1)
        ds.ImagePositionPatient = [ds_number(v) for v in pos]
        ds.ImageOrientationPatient = [ds_number(v) for v in list(d[0]) + list(d[1])]
        ds.FrameOfReferenceUID = frame
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = ds_number(float(np.dot(pos, normal)))
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = a.shape[1], a.shape[2]
        ds.PixelSpacing = [ds_number(sp[1]), ds_number(sp[0])]  # row spacing, column spacing
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation = signed
        ds.PixelData = pixels[k].tobytes()
        meta = pydicom.dataset.FileMetaDataset()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = MR_CLASS, ds.SOPInstanceUID
        meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
        meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
        path = os.path.join(directory, f"{k + 1:03d}.dcm")
        f = pydicom.dataset.FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        f.is_little_endian, f.is_implicit_VR = True, False
        for element in ds:
            f.add(element)
        f.save_as(path, write_like_original=False)
    return series, grid, a


def check_series_geometry(ctx, directory, grid, a):
    """Self-check: the files written have the NRRD's geometry (to DS precision) and its pixels."""
    files = sorted(os.listdir(directory))
    ctx.check(len(files) == grid["size"][2], f"{len(files)} files, {grid['size'][2]} slices")
    d, sp, o = grid["direction"], grid["spacing"], grid["origin"]
    for k, name in enumerate(files):
        f = pydicom.dcmread(os.path.join(directory, name))
        want = [o[i] + k * sp[2] * d[2][i] for i in range(3)]
        got = [float(v) for v in f.ImagePositionPatient]
        if not ctx.check(max(abs(x - y) for x, y in zip(got, want)) < 1e-9, f"{name}: position {got}, NRRD {want}"):
            return
        if k == 0:
            iop = [float(v) for v in f.ImageOrientationPatient]
            ctx.check(max(abs(x - y) for x, y in zip(iop, list(d[0]) + list(d[1]))) < 1e-9, f"orientation {iop}")
            ps = [float(v) for v in f.PixelSpacing]
            ctx.check(abs(ps[0] - sp[1]) < 1e-9 and abs(ps[1] - sp[0]) < 1e-9, f"pixel spacing {ps}, NRRD {sp[:2]}")
        px = np.frombuffer(f.PixelData, dtype="<i2" if f.PixelRepresentation else "<u2").reshape(f.Rows, f.Columns)
        ctx.check(np.array_equal(px.astype(np.int64), a[k].astype(np.int64)), f"{name}: pixels differ")


def make_case_seg(ctx, case_name, label_path, series_dir, label_value):
    """<case>_label.nrrd on the MR series as a SEG: one segment, labelID = the mask's label value, a Neoplasm
    in the case's organ (Anatomic Region)."""
    info = MR_CASES[case_name]
    d = ctx.path("seg")
    os.makedirs(d, exist_ok=True)
    region = dict(zip(("CodeValue", "CodingSchemeDesignator", "CodeMeaning"), info["region"]))
    attr = {"labelID": int(label_value), "SegmentLabel": f"{case_name} lesion", "SegmentAlgorithmType": "MANUAL",
            "SegmentDescription": f"{case_name}_label.nrrd label {label_value}",
            "SegmentedPropertyCategoryCodeSequence": {"CodeValue": "49755003", "CodingSchemeDesignator": "SCT",
                                                      "CodeMeaning": "Morphologically Altered Structure"},
            "SegmentedPropertyTypeCodeSequence": {"CodeValue": "108369006", "CodingSchemeDesignator": "SCT",
                                                  "CodeMeaning": "Neoplasm"},
            "AnatomicRegionSequence": region,
            "recommendedDisplayRGBValue": [255, 128, 0]}
    meta = {"ContentCreatorName": "Reader^One", "SeriesDescription": f"{case_name} lesion", "SeriesNumber": "300",
            "InstanceNumber": "1", "ClinicalTrialSeriesID": "1", "ClinicalTrialTimePointID": "1",
            "BodyPartExamined": info["body_part"], "segmentAttributes": [[attr]]}
    mj = os.path.join(d, "seg.json")
    with open(mj, "w") as f:
        json.dump(meta, f, indent=2)
    out = os.path.join(d, "seg.dcm")
    ctx.must([ctx.exe("itkimage2segimage"), "--inputImageList", label_path, "--inputDICOMDirectory", series_dir,
              "--inputMetadata", mj, "--outputDICOM", out], "itkimage2segimage")
    return out


def triple(c):
    return (str(c.get("CodeValue", "")), str(c.get("CodingSchemeDesignator", "")), str(c.get("CodeMeaning", "")))


class ReadItem:
    """One measurement as tid1500reader gives it (a JSON measurement item or a table row)."""


def items_of_json(path):
    got = json.load(open(path, encoding="utf-8"))
    out = []
    for g in got.get("Measurements", []):
        for i in g.get("measurementItems", []):
            it = ReadItem()
            it.concept, it.unit = triple(i.get("quantity", {})), triple(i.get("units", {}))
            it.modifiers = [(triple(m["modifier"]), triple(m["modifierValue"])) for m in i.get("measurementModifiers", [])]
            it.params = [(triple(p["derivationParameter"]), float(p["derivationParameterValue"]),
                          triple(p["derivationParameterUnits"])) for p in i.get("measurementDerivationParameters", [])]
            it.value = str(i.get("value", ""))
            alg = i.get("measurementAlgorithmIdentification") or g.get("measurementAlgorithmIdentification") or {}
            it.algorithm = (alg.get("AlgorithmName"), alg.get("AlgorithmVersion"))
            out.append(it)
    return got, out


def items_of_table(rows):
    out = []
    for r in rows:
        it = ReadItem()
        it.concept = tuple(r[c] for c in code_columns("Quantity"))
        it.unit = tuple(r[c] for c in code_columns("Units"))
        mods = json.loads(r["Modifiers"]) if r["Modifiers"] else []
        it.modifiers = [(triple(m["modifier"]), triple(m["modifierValue"])) for m in mods]
        params = json.loads(r["DerivationParameters"]) if r["DerivationParameters"] else []
        it.params = [(triple(p["derivationParameter"]), float(p["derivationParameterValue"]),
                      triple(p["derivationParameterUnits"])) for p in params]
        it.value = r["Value"]
        it.algorithm = (r["AlgorithmName"], r["AlgorithmVersion"])
        out.append(it)
    return out


def check_read_items(ctx, items, row, where, image_unit):
    """What tid1500reader gives back (JSON items or table rows) against the CSV row and this file's
    expectations: one item per feature column; its code, meaning, unit, modifiers, derivation parameters
    (with units), algorithm; its value the CSV text's double to the last bit."""
    settings = settings_of(row)
    version = str(row["diagnostics_Versions_PyRadiomics"])
    by_key = {}
    for it in items:
        key = (it.concept[:2], tuple(sorted((c[:2], v[:2]) for c, v in it.modifiers)),
               tuple(sorted((c[:2], v) for c, v, _ in it.params)))
        by_key.setdefault(key, []).append(it)
    columns = features_of(row)
    ctx.check(len(items) == len(columns), f"{where}: {len(items)} measurements, {len(columns)} feature columns")
    missing, bad = [], 0
    for column, text in columns.items():
        hits = by_key.get(expected_key(column, settings), [])
        if len(hits) != 1:
            missing.append(column)
            continue
        it, w = hits[0], f"{where} {column}"
        t, cls, feature = split_column(column)
        code, scheme, meaning, kind = feature_code(cls, feature, settings)
        exact, dims = expected_unit(kind, filter_unit(t, image_unit))
        ok = ctx.check(it.concept == (code, scheme, meaning), f"{w}: quantity {it.concept}, expected {(code, scheme, meaning)}")
        ok &= ctx.check(it.unit[1] == "UCUM" and it.unit[2] != "" and (exact is None or it.unit[0] == exact)
                        and ucum_dims(it.unit[0]) == dims, f"{w}: unit {it.unit}, expected {exact or dims}")
        ok &= ctx.check(sorted(it.modifiers) == sorted(FILTERS[t]["mods"]),
                        f"{w}: modifiers {it.modifiers}, expected {FILTERS[t]['mods']}")
        for c, v, units in expected_params(cls, feature, t, settings, image_unit):
            got = [u for gc, gv, u in it.params if gc == c and gv == v]
            ok &= ctx.check(len(got) == 1 and got[0][1] == "UCUM" and got[0][0] in units,
                            f"{w}: derivation parameter {c[2]} = {v}: units {got}, expected one of {units}")
        ok &= ctx.check(it.algorithm == ("pyradiomics", version), f"{w}: algorithm {it.algorithm}")
        try:
            ok &= ctx.check(float(it.value) == float(text), f"{w}: value {it.value!r} is not {text} to the last bit")
        except ValueError:
            ok = ctx.fail(f"{w}: value {it.value!r} is not a number") or False
        bad += not ok
        if bad > 20:
            ctx.fail(f"{where}: stopped after 20 wrong measurements")
            break
    ctx.check(not missing, f"{where}: {len(missing)} column(s) with no measurement of the expected quantity, "
                           f"modifiers and parameters: {missing[:8]}")


def baseline_on_own_data(ctx, case_name):
    """pyradiomics' reference values of one case, every class under every image type, on the image and
    mask they were computed from: MR series and SEG written here, radiomics2tid1500, tid1500reader."""
    image_path = os.path.join(PYR_DATA, f"{case_name}_image.nrrd")
    label_path = os.path.join(PYR_DATA, f"{case_name}_label.nrrd")
    series_dir = ctx.path("mr")
    series_uid, grid, a = write_mr_series(series_dir, case_name, image_path)
    check_series_geometry(ctx, series_dir, grid, a)
    lgrid, mask = read_nrrd(label_path)
    ctx.check(lgrid["size"] == grid["size"] and
              max(abs(x - y) for x, y in zip(lgrid["origin"] + lgrid["spacing"], grid["origin"] + grid["spacing"])) < 1e-9,
              f"{case_name}: the label's grid {lgrid} is not the image's {grid}")
    values = sorted(int(v) for v in np.unique(mask) if v)
    if not ctx.check(len(values) == 1, f"{case_name}_label.nrrd holds labels {values}, expected one"):
        return
    label = values[0]
    seg_path = make_case_seg(ctx, case_name, label_path, series_dir, label)
    seg = seg_info(seg_path)
    ctx.check(seg["series"] == [series_uid], f"the SEG references series {seg['series']}, not the MR series")
    ctx.check(list(seg["segments"]) == [1], f"SEG segments {list(seg['segments'])}, expected [1]")
    # the SEG holds the label, voxel for voxel, on the NRRD's grid (seg_decode, test/interop)
    try:
        placed = seg_common.seg_decode.place_on_grid(seg_path, grid).get(1)
        ctx.check(placed is not None and np.array_equal(placed > 0, mask == label),
                  f"segment 1 of the SEG is not {case_name}_label.nrrd == {label} "
                  f"({0 if placed is None else int(np.count_nonzero(placed))} vs {int(np.count_nonzero(mask == label))} voxels)")
    except seg_common.seg_decode.DecodeError as e:
        ctx.fail(f"the SEG does not lie on the NRRD's grid: {e}")
    row = feature_row(case_name, label, types=ALL_TYPES,
                      diag_overrides={"diagnostics_Configuration_EnabledImageTypes": ENABLED_ALL})
    row["Image"], row["Mask"] = image_path, label_path  # what pyradiomics' batch mode writes: the paths
    per_type = len(features_of(feature_row(case_name, label)))
    shapes = sum(1 for c in features_of(feature_row(case_name, label)) if split_column(c)[1] in ("shape", "shape2D"))
    ctx.check(per_type == 116 and len(features_of(row)) == per_type + (len(ALL_TYPES) - 1) * (per_type - shapes),
              f"{case_name}: {per_type} baseline features ({len(features_of(row))} columns)")
    features = write_csv(ctx.path("features.csv"), [row])
    # the full report with the unit from the series: MR has no calibrated unit, [arb'U]
    out, r = convert(ctx, features, seg_path, library=series_dir)
    ctx.check(re.search(r"\b0 left out\b", r.stdout) or "left out" not in r.stdout, f"features left out: {r.stdout.strip()}")
    dciodvfy(ctx, out)
    ds, groups = parse_report(out)
    check_report_level(ctx, ds, seg, library=series_dir)
    if not ctx.check(len(groups) == 1, f"{len(groups)} measurement groups, expected 1"):
        return
    g = groups[0]
    check_group(ctx, g, seg, 1, "group 1")
    ctx.check(g.finding_site == [MR_CASES[case_name]["region"]], f"Finding Site {g.finding_site}")
    check_features(ctx, g, row, "group 1", image_unit=ARB)
    units = {n.unit[0] for n in g.nums}
    ctx.check(not any(HU in u for u in units), f"Hounsfield units on an MR: {sorted(u for u in units if HU in u)}")
    by_filter = {}
    for n in g.nums:
        f = modifier(n, FILTER_MOD)
        by_filter.setdefault((n.concept[0], f[0][0] if f else None), set()).add(n.unit[0])
    want = {("Q4LE", "R810"): ARB, ("Q4LE", "R811"): ARB, ("Q4LE", "R812"): ARB, ("Q4LE", "R813"): ARB,
            ("Q4LE", "R814"): ARB, ("Q4LE", "R815"): ARB, ("Q4LE", "R816"): ARB, ("Q4LE", "R817"): ARB + "/mm",
            ("Q4LE", "R818"): "1", ("Q4LE", "R819"): "1", ("ECT3", "R810"): ARB + "2", ("R104", "R810"): ARB + "2",
            ("R103", "R810"): ARB + "2.mm3", ("RNU0", "R810"): "mm3", ("C0JK", "R810"): "mm2",
            ("R121", "R810"): "mm2", ("ACUI", "R817"): "1"}
    for key, unit in want.items():
        ctx.check(by_filter.get(key) == {unit}, f"{key[0]} after {key[1]}: units {by_filter.get(key)}, expected {unit!r}")
    # back out: tid1500reader's JSON and table
    m_json, m_csv = ctx.path("m.json"), ctx.path("m.csv")
    table(ctx, [out], m_csv, ["--outputMetadata", m_json])
    got, items = items_of_json(m_json)
    check_read_items(ctx, items, row, "tid1500reader JSON", ARB)
    header, rows = read_table(m_csv)
    ctx.check(header == TABLE_COLUMNS, f"table header {header}")
    ctx.check(len(rows) == len(g.nums), f"{len(rows)} table rows, the SR has {len(g.nums)} NUMs")
    check_read_items(ctx, items_of_table(rows), row, "tid1500reader table", ARB)
    for k, v in (("SOPInstanceUID", str(ds.SOPInstanceUID)), ("PatientID", f"pyradiomics-{case_name}"),
                 ("ReferencedSegmentationSOPInstanceUID", seg["uid"]), ("ReferencedSegmentNumber", "1"),
                 ("SourceSeriesInstanceUID", series_uid), ("TrackingIdentifier", f"{case_name} lesion"),
                 ("Finding_CodeValue", "108369006"), ("FindingSite_CodeValue", MR_CASES[case_name]["region"][0])):
        vals = {r.get(k) for r in rows}
        ctx.check(vals == {v}, f"table {k}: {sorted(vals)[:3]}, expected {v!r}")
    # PixelMed on a sample (MR_SAMPLE_*), written with the unit given explicitly (the series' default)
    sample = {k: v for k, v in row.items() if not is_feature(k) or in_mr_sample(k)}
    ctx.check(len(features_of(sample)) == 29, f"PixelMed sample of {len(features_of(sample))} features, expected 29")
    sample_out, _ = convert(ctx, write_csv(ctx.path("sample.csv"), [sample]), seg_path, "sample.dcm",
                            library=series_dir, flags=["--intensityUnit", ARB])
    pixelmed(ctx, sample_out)
    ds2, groups2 = parse_report(sample_out)
    if ctx.check(len(groups2) == 1, f"sample: {len(groups2)} groups"):
        check_features(ctx, groups2[0], sample, "sample (--intensityUnit [arb'U])", image_unit=ARB)


@case("baseline-brain1")
def case_baseline_brain1(ctx):
    baseline_on_own_data(ctx, "brain1")


@case("baseline-breast1")
def case_baseline_breast1(ctx):
    baseline_on_own_data(ctx, "breast1")


def json_run(ctx, name, cases_json, seg, flags=(), raw=None):
    path = ctx.path(name)
    with open(path, "w") as f:
        f.write(raw if raw is not None else json.dumps(cases_json, indent=2))  # NaN written bare, as Python does
    return path


@case("json-input")
def case_json_input(ctx):
    # 1. one object (the Python API's featureVector), one bare NaN
    row = feature_row("brain1", None)
    obj = json_case(row)
    nan_column = "original_glcm_Contrast"
    obj[nan_column] = float("nan")
    path = json_run(ctx, "one.json", obj, LIVER)
    ctx.check(re.search(r'"original_glcm_Contrast": NaN', open(path).read()), "the JSON does not hold a bare NaN")
    out, r = convert(ctx, path, LIVER, "one.dcm")
    ctx.check(any(nan_column in l for l in tool_output(r).splitlines()), f"no warning naming {nan_column}")
    ds, groups = parse_report(out)
    seg = seg_info(LIVER)
    if ctx.check(len(groups) == 1, f"one object: {len(groups)} groups, expected 1"):
        check_group(ctx, groups[0], seg, 1, "one object")
        check_features(ctx, groups[0], obj, "one object", skipped=(nan_column,))
        ctx.check(not any(n.concept[0] == "ACUI" for n in groups[0].nums), "the NaN feature was written")
    # 2. a list of two cases (pyradiomics -f json), Label 1 -> segment 3, Label 2 -> segment 2
    a = json_case(feature_row("brain1", 1, diag_overrides={"diagnostics_Versions_PyRadiomics": "3.0.1"}))
    b = json_case(feature_row("breast1", 2, diag_overrides={"diagnostics_Versions_PyRadiomics": "3.0.1"}))
    path = json_run(ctx, "two.json", [a, b], OVERLAPS)
    out, r = convert(ctx, path, OVERLAPS, "two.dcm", flags=["--segmentMap", "1=3"])
    ds, groups = parse_report(out)
    seg = seg_info(OVERLAPS)
    if ctx.check(len(groups) == 2, f"list of two: {len(groups)} groups, expected 2"):
        check_group(ctx, groups[0], seg, 3, "list case 1 (Label 1 -> segment 3)")
        check_group(ctx, groups[1], seg, 2, "list case 2 (Label 2)")
        check_features(ctx, groups[0], a, "list case 1")
        check_features(ctx, groups[1], b, "list case 2")
        ctx.check(len({g.tracking_uid[0] for g in groups if g.tracking_uid}) == 2, "the two groups share a Tracking UID")
    # 3. JSON Lines (older pyradiomics): the same two cases, one per line
    path = json_run(ctx, "two.jsonl", None, OVERLAPS, raw=json.dumps(a) + "\n" + json.dumps(b) + "\n")
    out, r = convert(ctx, path, OVERLAPS, "lines.dcm", flags=["--segmentMap", "1=3"])
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 2, f"JSON Lines: {len(groups)} groups, expected 2"):
        check_group(ctx, groups[0], seg, 3, "JSON Lines case 1")
        check_features(ctx, groups[1], b, "JSON Lines case 2")


@case("nan-skipped")
def case_nan_skipped(ctx):
    row = feature_row("brain1", 1)
    bad = {"original_firstorder_Mean": "nan", "original_glcm_Contrast": "inf", "original_glrlm_RunEntropy": "-inf",
           "original_ngtdm_Busyness": ""}
    row.update(bad)
    features = write_csv(ctx.path("features.csv"), [row])
    out, r = convert(ctx, features, LIVER)
    text = tool_output(r)
    for column in bad:
        ctx.check(warnings_naming(text, column), f"no warning naming the row and {column}")
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_features(ctx, groups[0], row, "group 1", skipped=tuple(bad))
        codes = {n.concept[0] for n in groups[0].nums}
        ctx.check(not codes & {"Q4LE", "ACUI", "HJ9O", "NQ30"}, f"a skipped feature was written: {codes & {'Q4LE', 'ACUI', 'HJ9O', 'NQ30'}}")
    dciodvfy(ctx, out)


@case("energy-shift-zero")
def case_energy_shift_zero(ctx):
    """voxelArrayShift 0: pyradiomics' Energy and RootMeanSquared are IBSI's (N8CA, 5ZWQ), without R906."""
    diag, _ = baseline("brain1")
    settings = diag["diagnostics_Configuration_Settings"].replace("'voxelArrayShift': 2000", "'voxelArrayShift': 0")
    ctx.check(settings != diag["diagnostics_Configuration_Settings"], "no voxelArrayShift 2000 in the baseline settings")
    row = feature_row("brain1", 1, diag_overrides={"diagnostics_Configuration_Settings": settings})
    out, r = convert(ctx, write_csv(ctx.path("features.csv"), [row]), LIVER)
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_features(ctx, groups[0], row, "group 1")  # R906 = 0: the setting was given
        codes = {n.concept[0] for n in groups[0].nums}
        ctx.check({"N8CA", "5ZWQ", "R103", "R101"} <= codes and not codes & {"R104", "R105"},
                  f"energy codes with shift 0: {sorted(c for c in codes if c[:1] in 'NR5')}")
    # no voxelArrayShift key: the shift is unknown (2000 before pyradiomics 1.1.1, 0 since): R104/R105, no R906
    unknown = diag["diagnostics_Configuration_Settings"].replace("'voxelArrayShift': 2000, ", "")
    ctx.check("voxelArrayShift" not in unknown, "could not remove voxelArrayShift from the settings")
    row = feature_row("brain1", 1, diag_overrides={"diagnostics_Configuration_Settings": unknown})
    out, r = convert(ctx, write_csv(ctx.path("unknown.csv"), [row]), LIVER, "unknown.dcm")
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_features(ctx, groups[0], row, "no voxelArrayShift")
        codes = {n.concept[0] for n in groups[0].nums}
        ctx.check({"R104", "R105", "R103"} <= codes and not codes & {"N8CA", "5ZWQ"},
                  f"energy codes without a shift setting: {sorted(c for c in codes if c[:1] in 'NR5')}")
        ctx.check(not any(c[0] == "R906" for n in groups[0].nums for c, _, _ in n.params),
                  "R906 written though the settings do not give the shift")


@case("unknown-feature-warned")
def case_unknown_feature(ctx):
    row = feature_row("brain1", 1)
    unknown = {"original_glcm_NotAFeature": "1.5", "median-filter_firstorder_Mean": "812.5"}
    row.update(unknown)
    row["original_firstorder_StandardDeviation"] = "156.61124865737383"  # known: R102, not in the baseline
    features = write_csv(ctx.path("features.csv"), [row])
    out, r = convert(ctx, features, LIVER)
    text = tool_output(r)
    for column in unknown:
        ctx.check(warnings_naming(text, column), f"no warning naming the row and {column}")
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_features(ctx, groups[0], row, "group 1", skipped=tuple(unknown))
        ctx.check(sum(n.concept[0] == "Q4LE" for n in groups[0].nums) == 1, "the unknown image type's Mean was written")


@case("legacy-name-mapped")
def case_legacy(ctx):
    diag, feats = baseline("brain1")
    row = {"Image": "brain1_image.nrrd", "Mask": "brain1_label.nrrd", "Label": "1"}
    row.update(diag)
    texts = {(c, f): t for c, f, t in feats}
    row["original_firstorder_Mean"] = texts[("firstorder", "Mean")]
    row["original_glcm_Dissimilarity"] = texts[("glcm", "DifferenceAverage")]
    row["original_glszm_IntensityVariability"] = texts[("glszm", "GrayLevelNonUniformity")]
    features = write_csv(ctx.path("features.csv"), [row])
    out, r = convert(ctx, features, LIVER)
    text = tool_output(r)
    for column in ("original_glcm_Dissimilarity", "original_glszm_IntensityVariability"):
        ctx.check(any(column in l for l in text.splitlines()), f"no warning naming the legacy name {column}")
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_features(ctx, groups[0], row, "group 1")
        codes = sorted(n.concept[0] for n in groups[0].nums)
        ctx.check(codes == sorted(["Q4LE", "TF7R", "JNSA"]), f"codes {codes}, expected Q4LE, TF7R, JNSA")


@case("segment-map")
def case_segment_map(ctx):
    rows = [feature_row("brain1", 1), feature_row("breast1", 2), feature_row("brain1", 4)]
    features = write_csv(ctx.path("features.csv"), rows)
    out, r = convert(ctx, features, OVERLAPS, flags=["--segmentMap", "1=3,2=5"])
    dciodvfy(ctx, out)
    seg = seg_info(OVERLAPS)
    ds, groups = parse_report(out)
    if not ctx.check(len(groups) == 3, f"{len(groups)} groups, expected 3"):
        return
    for g, row, number in zip(groups, rows, (3, 5, 4)):
        where = f"Label {row['Label']} -> segment {number}"
        check_group(ctx, g, seg, number, where)
        check_features(ctx, g, row, where)
    ctx.check(len({g.tracking_uid[0] for g in groups if g.tracking_uid}) == 3, "groups share Tracking UIDs")
    # breast1's values are not brain1's: the rows were not mixed up
    m = [next((n.value for n in g.nums if n.concept[0] == "Q4LE"), None) for g in groups]
    ctx.check(m[0] == m[2] != m[1], f"Mean per group {m}")


@case("finding-site")
def case_finding_site(ctx):
    seg_path = make_seg(ctx, "liver mass")
    seg = seg_info(seg_path)
    ctx.check(seg["segments"][1]["region"] == ("10200004", "SCT", "Liver"), "the SEG written here has no Anatomic Region")
    row = feature_row("brain1", 1)
    out, r = convert(ctx, write_csv(ctx.path("features.csv"), [row]), seg_path)
    dciodvfy(ctx, out)
    pixelmed(ctx, out)
    ds, groups = parse_report(out)
    if ctx.check(len(groups) == 1, f"{len(groups)} groups"):
        check_group(ctx, groups[0], seg, 1, "group 1")
        ctx.check(groups[0].finding == [("4147007", "SCT", "Mass")], f"Finding {groups[0].finding}")
        ctx.check(groups[0].finding_site == [("10200004", "SCT", "Liver")], f"Finding Site {groups[0].finding_site}")


@case("metadata-observer")
def case_metadata_observer(ctx):
    meta = {"SeriesDescription": "Radiomics of the liver", "SeriesNumber": "77",
            "observerContext": {"ObserverType": "PERSON", "PersonObserverName": "Reader^Radiomics"},
            "Measurements": [{"TrackingIdentifier": "ignored group", "measurementItems": [
                {"value": "1.5", "quantity": {"CodeValue": "G-D705", "CodingSchemeDesignator": "SRT",
                                              "CodeMeaning": "Volume"},
                 "units": {"CodeValue": "mm3", "CodingSchemeDesignator": "UCUM", "CodeMeaning": "cubic millimeter"}}]}]}
    mj = ctx.path("extra.json")
    with open(mj, "w") as f:
        json.dump(meta, f)
    row = feature_row("brain1", 1)
    out, r = convert(ctx, write_csv(ctx.path("features.csv"), [row]), LIVER, flags=["--inputMetadata", mj])
    dciodvfy(ctx, out)
    ds, groups = parse_report(out)
    ctx.check(str(ds.get("SeriesDescription")) == "Radiomics of the liver", f"SeriesDescription {ds.get('SeriesDescription')}")
    ctx.check(str(ds.get("SeriesNumber")) == "77", f"SeriesNumber {ds.get('SeriesNumber')}")
    otype = [code3(k.ConceptCodeSequence[0]) for k in kids(ds) if is_(k, "121005")]
    ctx.check([c[:2] for c in otype] == [("121006", "DCM")], f"Observer Type {otype}, expected Person")
    names = [str(k.PersonName) for k in kids(ds) if is_(k, "121008")]
    ctx.check(names == ["Reader^Radiomics"], f"Person Observer Name {names}")
    if ctx.check(len(groups) == 1, f"{len(groups)} groups: the metadata's Measurements were not ignored"):
        check_features(ctx, groups[0], row, "group 1")
        ctx.check(groups[0].tracking_id == ["Liver"], f"Tracking Identifier {groups[0].tracking_id}")


def refused(ctx, args, code, patterns, what):
    """The tool with args exits `code`, prints an error line matching every pattern, and leaves no output."""
    outdir = ctx.path("out")
    os.makedirs(outdir, exist_ok=True)
    out = os.path.join(outdir, "report.dcm")
    r = run_tool(ctx, args + ["--outputDICOM", out])
    ctx.check(r.returncode == code, f"{what}: exit {r.returncode}, expected {code}")
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    ctx.check(any(all(re.search(p, l, re.I) for p in patterns) for l in lines),
              f"{what}: no error line matching {patterns} in {lines[:5]}")
    check_no_output(ctx, out)
    return r


def lib_args(features, seg=LIVER, library=CT3):
    return ["--inputFeatures", features, "--inputSEG", seg, "--inputImageLibraryDirectory", library]


@case("bad-label-no-segment")
def case_bad_label(ctx):
    features = write_csv(ctx.path("features.csv"), [feature_row("brain1", 1), feature_row("brain1", 7)])
    refused(ctx, lib_args(features), 1, [r"features\.csv", r"\b7\b", r"\brow\b|\bline\b"],
            "Label 7 names no segment of liver.dcm")


@case("bad-label-not-integer")
def case_bad_label_text(ctx):
    features = write_csv(ctx.path("features.csv"), [feature_row("brain1", "liver")])
    refused(ctx, lib_args(features), 1, [r"features\.csv", r"Label"], "Label 'liver'")


@case("bad-no-feature-columns")
def case_bad_no_features(ctx):
    row = {k: v for k, v in feature_row("brain1", 1).items() if not is_feature(k)}
    row["original_notaclass_Mean"] = "1.0"  # not <type>_<known class>_<feature>
    features = write_csv(ctx.path("features.csv"), [row])
    refused(ctx, lib_args(features), 1, [r"features\.csv", r"feature"], "no feature column")


@case("bad-no-storable-value")
def case_bad_no_value(ctx):
    row = feature_row("brain1", 1)
    for k in features_of(row):
        row[k] = "nan"
    features = write_csv(ctx.path("features.csv"), [row])
    refused(ctx, lib_args(features), 1, [r"features\.csv"], "no value that could be stored")


@case("bad-segment-map")
def case_bad_segment_map(ctx):
    features = write_csv(ctx.path("features.csv"), [feature_row("brain1", 1)])
    for value in ("1=x", "1:3", "=3"):
        refused(ctx, lib_args(features) + ["--segmentMap", value], 2, [r"segmentMap"], f"--segmentMap {value}")


@case("bad-series-missing")
def case_bad_series(ctx):
    features = write_csv(ctx.path("features.csv"), [feature_row("brain1", 1)])
    # the tiny SEG's source series is not ct-3slice
    refused(ctx, lib_args(features, seg=TINY_SEG, library=CT3), 1, [r"series|ct-3slice"],
            "SEG whose source series is not in the directory")


@case("bad-seg-not-seg")
def case_bad_seg(ctx):
    features = write_csv(ctx.path("features.csv"), [feature_row("brain1", 1)])
    refused(ctx, lib_args(features, seg=CT_SLICE), 1, [r"01\.dcm"], "a CT image given as --inputSEG")


@case("bad-value-not-a-number")
def case_bad_value_text(ctx):
    row = feature_row("brain1", 1)
    row["original_firstorder_Mean"] = "abc"
    features = write_csv(ctx.path("features.csv"), [row])
    refused(ctx, lib_args(features), 1, [r"features\.csv", r"\b(row|line) 2\b", r"original_firstorder_Mean"],
            "'abc' as original_firstorder_Mean")


# ---------------------------------------------------------------- the table

def code_columns(prefix):
    return [f"{prefix}_CodeValue", f"{prefix}_CodingSchemeDesignator", f"{prefix}_CodeMeaning"]


# doc/tid1500reader.md, "Table", in its order
TABLE_COLUMNS = (["SOPInstanceUID", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "MeasurementGroupIndex",
                  "TrackingIdentifier", "TrackingUniqueIdentifier", "ReferencedSegmentationSOPInstanceUID",
                  "ReferencedSegmentNumber", "SourceSeriesInstanceUID", "RealWorldValueMapSOPInstanceUID"]
                 + code_columns("Finding") + code_columns("FindingSite") + code_columns("Laterality")
                 + ["MeasurementIndex"] + code_columns("Quantity") + code_columns("Derivation")
                 + code_columns("MeasurementMethod") + ["Modifiers", "DerivationParameters", "Value"]
                 + code_columns("Units") + ["AlgorithmName", "AlgorithmVersion"])


def read_table(path):
    """(header, [dict]) of a CSV (RFC 4180) or TSV (no quoting) table."""
    with open(path, newline="", encoding="utf-8") as f:
        if path.endswith(".tsv"):
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        else:
            rows = list(csv.reader(f))
    if not rows:
        raise CaseFailed(f"{path} is empty")
    header = rows[0]
    bad = [i for i, r in enumerate(rows[1:], 2) if len(r) != len(header)]
    if bad:
        raise CaseFailed(f"{path}: lines {bad[:5]} do not have the header's {len(header)} cells")
    return header, [dict(zip(header, r)) for r in rows[1:]]


def table(ctx, inputs, out, extra=()):
    r = ctx.run([ctx.exe(READER), "--inputDICOM"] + list(inputs) + ["--outputTable", out] + list(extra))
    if r.returncode:
        raise CaseFailed(f"{READER} --outputTable exit {r.returncode}: {(r.stdout + r.stderr).strip()[-600:]}")
    return r


def cells(code):
    return list(code) if code else ["", "", ""]


def check_rows(ctx, rows, path, where):
    """The table rows of one report against the report read with pydicom; returns the rows used."""
    ds, groups = parse_report(path)
    expect = []
    for gi, g in enumerate(groups, 1):
        for mi, n in enumerate(g.nums, 1):
            expect.append((gi, g, mi, n))
    mine = [r for r in rows if r.get("SOPInstanceUID") == str(ds.SOPInstanceUID)]
    if not ctx.check(len(mine) == len(expect), f"{where}: {len(mine)} rows, the SR has {len(expect)} NUMs"):
        return mine
    for row, (gi, g, mi, n) in zip(mine, expect):
        w = f"{where} row {gi}.{mi}"
        want = {"PatientID": str(ds.get("PatientID", "")), "StudyInstanceUID": str(ds.StudyInstanceUID),
                "SeriesInstanceUID": str(ds.SeriesInstanceUID), "MeasurementGroupIndex": str(gi),
                "MeasurementIndex": str(mi),
                "TrackingIdentifier": g.tracking_id[0] if g.tracking_id else "",
                "TrackingUniqueIdentifier": g.tracking_uid[0] if g.tracking_uid else "",
                "ReferencedSegmentationSOPInstanceUID": g.segment[0][1] if g.segment else "",
                "ReferencedSegmentNumber": str(g.segment[0][2][0]) if g.segment else "",
                "SourceSeriesInstanceUID": g.source_series[0] if g.source_series else "",
                "RealWorldValueMapSOPInstanceUID": g.rwvm[0] if g.rwvm else ""}
        for prefix, code in (("Finding", g.finding[0] if g.finding else None),
                             ("FindingSite", g.finding_site[0] if g.finding_site else None),
                             ("Laterality", g.laterality[0] if g.laterality else None),
                             ("Quantity", n.concept), ("Units", n.unit),
                             ("Derivation", n.derivation[0] if n.derivation else None),
                             ("MeasurementMethod", g.method[0] if g.method else None)):
            want.update(dict(zip(code_columns(prefix), cells(code))))
        for k, v in want.items():
            ctx.check(row.get(k) == v, f"{w}: {k} {row.get(k)!r}, the SR says {v!r}")
        try:
            if n.value is None:
                ctx.check(row["Value"] == "", f"{w}: Value {row['Value']!r} for a NUM without a value")
            else:
                ctx.check(float(row["Value"]) == n.value, f"{w}: Value {row['Value']!r} is not the SR's {n.value!r}")
        except ValueError:
            ctx.fail(f"{w}: Value {row['Value']!r} is not a number")
        try:
            mods = json.loads(row["Modifiers"]) if row["Modifiers"] else []
            got = sorted((tuple(m["modifier"][k] for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")),
                          tuple(m["modifierValue"][k] for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")))
                         for m in mods)
            want_m = sorted((c, v) for c, v in n.modifiers if c[:2] != ("121401", "DCM"))
            ctx.check(got == want_m, f"{w}: Modifiers {got}, the SR has {want_m}")
        except (ValueError, KeyError, TypeError) as e:
            ctx.fail(f"{w}: Modifiers {row['Modifiers'][:100]!r} is not the documented JSON ({e})")
        try:
            params = json.loads(row["DerivationParameters"]) if row["DerivationParameters"] else []
            got = sorted((tuple(p["derivationParameter"][k] for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")),
                          float(p["derivationParameterValue"]),
                          p["derivationParameterUnits"]["CodeValue"]) for p in params)
            want_p = sorted((c, v, u[0]) for c, v, u in n.params)
            ctx.check(got == want_p, f"{w}: DerivationParameters {got}, the SR has {want_p}")
        except (ValueError, KeyError, TypeError) as e:
            ctx.fail(f"{w}: DerivationParameters {row['DerivationParameters'][:100]!r} is not the documented JSON ({e})")
        name = (n.algorithm or g.algorithm or [""])[0]  # the measurement's algorithm, else the group's
        version = (n.version if n.algorithm else g.version) or [""]
        ctx.check(row.get("AlgorithmName") == name, f"{w}: AlgorithmName {row.get('AlgorithmName')!r}, SR {name!r}")
        ctx.check(row.get("AlgorithmVersion") == version[0],
                  f"{w}: AlgorithmVersion {row.get('AlgorithmVersion')!r}, SR {version[0]!r}")
    return mine


@case("table-one")
def case_table_one(ctx):
    seg_path = make_seg(ctx, "liver mass")
    row = feature_row("brain1", 1)
    report, _ = convert(ctx, write_csv(ctx.path("features.csv"), [row]), seg_path)
    m_json, m_csv = ctx.path("m.json"), ctx.path("m.csv")
    table(ctx, [report], m_csv, ["--outputMetadata", m_json])
    ctx.check(os.path.isfile(m_json), "--outputMetadata was not written along with --outputTable")
    header, rows = read_table(m_csv)
    ctx.check(header == TABLE_COLUMNS, f"header {header}\n  documented {TABLE_COLUMNS}")
    ds, groups = parse_report(report)
    ctx.check(len(rows) == sum(len(g.nums) for g in groups) == 116, f"{len(rows)} rows, the SR has "
                                                                    f"{sum(len(g.nums) for g in groups)} NUMs (116 features)")
    check_rows(ctx, rows, report, "report")
    for r in rows:
        for k in ("SOPInstanceUID", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "ReferencedSegmentNumber",
                  "TrackingIdentifier", "TrackingUniqueIdentifier", "ReferencedSegmentationSOPInstanceUID",
                  "SourceSeriesInstanceUID", "AlgorithmName", "AlgorithmVersion", "Value", "Modifiers",
                  *code_columns("Finding"), *code_columns("FindingSite"), *code_columns("Quantity"),
                  *code_columns("Units")):
            if not r.get(k):
                ctx.fail(f"row {r.get('MeasurementIndex')}: {k} is empty")
                break
    ctx.check({r["SOPInstanceUID"] for r in rows} == {str(ds.SOPInstanceUID)}, "SOPInstanceUID is not the SR's")
    # values: the CSV's, exactly, found through the quantity and the filter (all 'original' here)
    texts = {expected_key(c, settings_of(row))[0][0]: t for c, t in features_of(row).items()}
    for r in rows:
        want = texts.get(r["Quantity_CodeValue"])
        ctx.check(want is not None and float(r["Value"]) == float(want),
                  f"{r['Quantity_CodeValue']}: Value {r['Value']!r}, CSV {want!r}")
    units = {r["Quantity_CodeValue"]: r["Units_CodeValue"] for r in rows}
    ctx.check(units.get("RNU0") == "mm3" and units.get("Q4LE") == HU and units.get("ACUI") == "1",
              f"units in the table: MeshVolume {units.get('RNU0')}, Mean {units.get('Q4LE')}, Contrast {units.get('ACUI')}")


@case("table-collection")
def case_table_collection(ctx):
    coll = ctx.path("collection")
    os.makedirs(os.path.join(coll, "3-sub"))
    reports = []
    for name, rows_, seg, flags in (("1-brain.dcm", [feature_row("brain1", 1)], LIVER, []),
                                    ("2-two.dcm", [feature_row("brain1", 1), feature_row("breast1", 2)], OVERLAPS, []),
                                    (os.path.join("3-sub", "c.dcm"), [feature_row("breast1", 1, types=ALL_TYPES[:4], diag_overrides={
                                        "diagnostics_Configuration_EnabledImageTypes": ENABLED_ALL})],
                                     LIVER, [])):
        out, _ = convert(ctx, write_csv(ctx.path(os.path.basename(name) + ".csv"), rows_), seg,
                         out_name=os.path.join("collection", name), flags=flags)
        reports.append(out)
    shutil.copyfile(DCMQI_SR, os.path.join(coll, "4-dcmqi-sr.dcm"))
    shutil.copyfile(CT_SLICE, os.path.join(coll, "5-ct.dcm"))  # not an SR: not looked at
    with open(os.path.join(coll, "6-notes.txt"), "w") as f:
        f.write("not DICOM\n")
    all_reports = reports[:2] + [reports[2]] + [os.path.join(coll, "4-dcmqi-sr.dcm")]
    nums = sum(len(g.nums) for p in all_reports for g in parse_report(p)[1])
    tsv = ctx.path("collection.tsv")
    table(ctx, [coll], tsv)
    header, rows = read_table(tsv)
    ctx.check(header == TABLE_COLUMNS, f"TSV header {header}")
    ctx.check(len(rows) == nums, f"{len(rows)} rows, the 4 reports have {nums} NUMs")
    order = []
    for r in rows:
        if not order or order[-1] != r["SOPInstanceUID"]:
            order.append(r["SOPInstanceUID"])
    want_order = [str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in all_reports]
    ctx.check(order == want_order, "rows are not in the order of the files by path, then content order")
    for p in all_reports:
        check_rows(ctx, rows, p, os.path.relpath(p, coll))
    dcmqi_rows = [r for r in rows if r["SOPInstanceUID"] == want_order[3]]
    ctx.check(dcmqi_rows and all(r["Finding_CodeMeaning"] == "Neoplasm, Primary" for r in dcmqi_rows),
              "dcmqi's SR: Finding_CodeMeaning is not 'Neoplasm, Primary'")
    # the same files named one by one, as CSV: the same rows
    csv_path = ctx.path("collection.csv")
    table(ctx, all_reports, csv_path)
    h2, rows2 = read_table(csv_path)
    ctx.check(len(rows2) == nums, f"named files: {len(rows2)} rows, expected {nums}")
    # a named file that is not an SR is refused, nothing written
    bad = ctx.path("bad.csv")
    r = ctx.run([ctx.exe(READER), "--inputDICOM", reports[0], os.path.join(coll, "5-ct.dcm"), "--outputTable", bad])
    ctx.check(r.returncode == 1, f"a named CT image: exit {r.returncode}, expected 1")
    ctx.check(any("5-ct.dcm" in l for l in r.stderr.splitlines()), "the error does not name the CT file")
    ctx.check(not os.path.exists(bad), "a table was written although an input was refused")


@case("table-csv-quoting")
def case_table_quoting(ctx):
    # a radiomics SR whose tracking identifier (the segment label) and algorithm version hold commas and quotes
    label = 'liver, "segment A"'
    version = '3.0.1, "patched"'
    seg_path = make_seg(ctx, label)
    row = feature_row("brain1", 1, diag_overrides={"diagnostics_Versions_PyRadiomics": version})
    report, _ = convert(ctx, write_csv(ctx.path("features.csv"), [row]), seg_path)
    # a tid1500writer SR whose tracking identifier holds a line break as well
    meta = json.load(open(os.path.join(EXAMPLES, "sr-tid1500-example.json")))
    tricky = 'lesion "B", left\nsecond line'
    meta["Measurements"][0]["TrackingIdentifier"] = tricky
    mj = ctx.path("writer.json")
    with open(mj, "w") as f:
        json.dump(meta, f)
    written = ctx.path("writer.dcm")
    ctx.must([ctx.exe("tid1500writer"), "--inputMetadata", mj, "--outputDICOM", written,
              "--inputCompositeContextDirectory", SR_EXAMPLE_DIR, "--inputImageLibraryDirectory", CT3],
             "tid1500writer")
    ctx.check([g.tracking_id for g in parse_report(written)[1]] == [[tricky]],
              "tid1500writer did not keep the line break in the tracking identifier")
    out = ctx.path("t.csv")
    table(ctx, [report, written], out)
    header, rows = read_table(out)
    ctx.check(header == TABLE_COLUMNS, "header")
    mine = check_rows(ctx, rows, report, "radiomics SR")
    theirs = check_rows(ctx, rows, written, "tid1500writer SR")
    ctx.check(mine and all(r["TrackingIdentifier"] == label for r in mine), "the label with comma and quotes did not round-trip")
    ctx.check(mine and all(r["AlgorithmVersion"] == version for r in mine), "the version with comma and quotes did not round-trip")
    ctx.check(theirs and all(r["TrackingIdentifier"] == tricky for r in theirs),
              "the tracking identifier with a line break did not round-trip through the CSV")
    ctx.check(theirs and all(r["Finding_CodeMeaning"] == "Neoplasm, Primary" for r in theirs), "Finding_CodeMeaning")
    raw = open(out, encoding="utf-8").read()
    ctx.check('"liver, ""segment A"""' in raw, "the label is not quoted as RFC 4180 says")
    # TSV: no quoting; the line break becomes a space
    tsv = ctx.path("t.tsv")
    table(ctx, [report, written], tsv)
    header, rows = read_table(tsv)
    t_theirs = [r for r in rows if r["SOPInstanceUID"] == (theirs[0]["SOPInstanceUID"] if theirs else None)]
    ctx.check(t_theirs and all(r["TrackingIdentifier"] == tricky.replace("\n", " ") for r in t_theirs),
              f"TSV: tracking identifier {t_theirs[0]['TrackingIdentifier'] if t_theirs else None!r}, "
              f"expected the line break as a space")
    t_mine = [r for r in rows if r["SOPInstanceUID"] == (mine[0]["SOPInstanceUID"] if mine else None)]
    ctx.check(t_mine and all(r["TrackingIdentifier"] == label for r in t_mine), "TSV: the label")
    ctx.check(len(rows) == len(mine) + len(theirs), "TSV: row count")


@case("full-precision-roundtrip")
def case_full_precision(ctx):
    row = feature_row("brain1", 1)
    report, _ = convert(ctx, write_csv(ctx.path("features.csv"), [row]), LIVER)
    ds, groups = parse_report(report)
    long_ = [c for c, t in features_of(row).items() if len(t) > 16]
    ctx.check(len(long_) > 50, f"only {len(long_)} values longer than 16 characters")
    fd = sum(1 for g in groups for n in g.nums if n.fd is not None)
    ctx.check(fd >= len(long_) - 5, f"{fd} Floating Point Values for {len(long_)} values longer than DS holds")
    back = ctx.path("back.json")
    ctx.must([ctx.exe(READER), "--inputDICOM", report, "--outputMetadata", back], READER)
    got = json.load(open(back, encoding="utf-8"))
    items = [i for g in got["Measurements"] for i in g["measurementItems"]]
    settings = settings_of(row)
    texts = {expected_key(c, settings)[0]: t for c, t in features_of(row).items()}
    ctx.check(len(items) == len(texts), f"{len(items)} measurement items, {len(texts)} features")
    for i in items:
        q = (i["quantity"]["CodeValue"], i["quantity"]["CodingSchemeDesignator"])
        want = texts.get(q)
        if not ctx.check(want is not None, f"reader quantity {q} is no feature of the CSV"):
            continue
        ctx.check(float(i["value"]) == float(want), f"{q}: reader value {i['value']!r}, CSV {want}")
    ctx.check(got["Measurements"][0].get("measurementAlgorithmIdentification", {}).get("AlgorithmName", "pyradiomics")
              == "pyradiomics" or all(i.get("measurementAlgorithmIdentification", {}).get("AlgorithmName") == "pyradiomics"
                                      for i in items), "the reader's JSON lost the algorithm name")


def canonical(item, depth=0):
    """The content tree as lines (values as FD where present, else DS)."""
    vt = item.ValueType if "ValueType" in item else "CONTAINER"
    line = f"{'  ' * depth}{item.get('RelationshipType', 'ROOT')} {vt} {name_of(item)}"
    if vt == "NUM":
        n = parse_num(item)
        line += f" = {n.value!r} {n.unit}"
    elif vt == "CODE":
        line += f" = {code3(item.ConceptCodeSequence[0])}"
    elif vt in ("TEXT", "UIDREF", "PNAME"):
        line += " = " + str(item.get({"TEXT": "TextValue", "UIDREF": "UID", "PNAME": "PersonName"}[vt]))
    elif vt in ("IMAGE", "COMPOSITE"):
        ref = item.ReferencedSOPSequence[0]
        line += f" = {ref.ReferencedSOPInstanceUID} {ref.get('ReferencedSegmentNumber', '')}"
    lines = [line]
    for c in kids(item):
        lines += canonical(c, depth + 1)
    return lines


@case("reader-writer-roundtrip")
def case_roundtrip(ctx):
    row = feature_row("brain1", 1, types=ALL_TYPES[:5],
                      diag_overrides={"diagnostics_Configuration_EnabledImageTypes": ENABLED_ALL})
    report, _ = convert(ctx, write_csv(ctx.path("features.csv"), [row]), LIVER)
    back = ctx.path("back.json")
    ctx.must([ctx.exe(READER), "--inputDICOM", report, "--outputMetadata", back], READER)
    again = ctx.path("again.dcm")
    ctx.must([ctx.exe("tid1500writer"), "--inputMetadata", back, "--outputDICOM", again,
              "--inputCompositeContextDirectory", SEGS, "--inputImageLibraryDirectory", CT3], "tid1500writer")
    a = canonical(pydicom.dcmread(report))
    b = canonical(pydicom.dcmread(again))
    if a != b:
        for x, y in zip(a, b):
            if x != y:
                ctx.fail(f"content trees differ first at: {x.strip()!r} vs {y.strip()!r}")
                break
        ctx.check(len(a) == len(b), f"content trees: {len(a)} vs {len(b)} items")


@case("help-version")
def case_help_version(ctx):
    r = ctx.run([ctx.exe(TOOL), "--help"])
    ctx.check(r.returncode == 0, f"--help exit {r.returncode}")
    ctx.check("doc/radiomics2tid1500.md" in r.stdout, "--help does not name doc/radiomics2tid1500.md")
    ctx.check(re.search(r"^Examples?:", r.stdout, re.M) and re.search(r"radiomics2tid1500 --inputFeatures", r.stdout),
              "--help has no examples")
    for flag in ("--inputFeatures", "--inputSEG", "--inputImageLibraryDirectory", "--outputDICOM", "--inputMetadata",
                 "--segmentMap", "--intensityUnit"):
        ctx.check(flag in r.stdout, f"--help does not list {flag}")
    r = ctx.run([ctx.exe(TOOL), "--version"])
    ctx.check(r.returncode == 0 and re.search(r"\d", r.stdout), f"--version: exit {r.returncode}, {r.stdout!r}")
    r = ctx.run([ctx.exe(TOOL)])
    ctx.check(r.returncode == 2, f"no arguments: exit {r.returncode}, expected 2")
    r = ctx.run([ctx.exe(READER), "--help"])
    ctx.check("--outputTable" in r.stdout, "tid1500reader --help does not list --outputTable")


if __name__ == "__main__":
    sys.exit(seg_common.run_case(CASES, group="radiomics"))

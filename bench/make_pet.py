#!/usr/bin/python3
"""A synthetic whole-body PET series for bench/run.py's pet case: single-frame
PET images (int16, explicit VR little endian), BQML decay corrected to the
series start, each slice with a Rescale Slope of its own, as half of the
real series surveyed by the SUV manual have.

Usage: make_pet.py --output DIR [--slices 400] [--rows 192] [--columns 192] [--seed 1]
"""
import argparse
import os

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

PET_STORAGE = "1.2.840.10008.5.1.4.1.1.128"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", required=True)
    p.add_argument("--slices", type=int, default=400)
    p.add_argument("--rows", type=int, default=192)
    p.add_argument("--columns", type=int, default=192)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    y, x = np.mgrid[0:a.rows, 0:a.columns]
    body = ((x - a.columns / 2) / (0.4 * a.columns)) ** 2 + ((y - a.rows / 2) / (0.3 * a.rows)) ** 2 < 1
    for k in range(a.slices):
        activity = body * (4000 + 2000 * np.sin(k / 15.0)) + rng.normal(0, 300, (a.rows, a.columns)) * body
        activity = np.clip(activity, 0, None)
        slope = max(float(activity.max()) / 32767, 1e-3)
        pixels = np.round(activity / slope).astype(np.int16)
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = PET_STORAGE
        ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID, ds.SOPInstanceUID = PET_STORAGE, ds.file_meta.MediaStorageSOPInstanceUID
        ds.Modality = "PT"
        ds.PatientName, ds.PatientID, ds.PatientSex = "BENCH^PET", "BENCH-PET", "M"
        ds.PatientWeight, ds.PatientSize = "81.5", "1.82"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20260101"
        ds.SeriesTime, ds.AcquisitionTime = "101500", "101500"
        ds.StudyID, ds.SeriesNumber, ds.InstanceNumber = "1", "3", str(k + 1)
        ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", "START", ["NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN"]
        ds.ActualFrameDuration = "120000"
        rp = Dataset()
        rp.RadionuclideTotalDose, rp.RadionuclideHalfLife = "350000000", "6586.2"
        rp.RadiopharmaceuticalStartDateTime = "20260101091000"
        ds.RadiopharmaceuticalInformationSequence = [rp]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-0.5 * 4 * a.columns, -0.5 * 4 * a.rows, -2.0 * k]
        ds.PixelSpacing, ds.SliceThickness = [4, 4], "2"
        ds.Rows, ds.Columns = a.rows, a.columns
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope = "0", f"{slope:.8g}"
        ds.PixelData = pixels.tobytes()
        ds.save_as(os.path.join(a.output, f"pt_{k:04d}.dcm"), write_like_original=False)
    print(f"{a.slices} PET slices of {a.rows} x {a.columns} in {a.output}")


if __name__ == "__main__":
    main()

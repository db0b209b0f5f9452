"""write_pm / read_pm round trips; pet_suv against pet2suv; read_sr / write_sr."""
import json
import os

import numpy as np
import pytest

import qidcm
from conftest import SHARED, dciodvfy, read_nrrd, run, tool

PM_META = {
    "QuantityValueCode": {"CodeValue": "113041", "CodingSchemeDesignator": "DCM",
                          "CodeMeaning": "Apparent Diffusion Coefficient"},
    "MeasurementUnitsCode": {"CodeValue": "um2/s", "CodingSchemeDesignator": "UCUM", "CodeMeaning": "um2/s"},
    "SeriesDescription": "ADC", "SeriesNumber": "701",
}


@pytest.mark.parametrize("dtype", [np.float32, np.int16])
def test_pm_round_trip(synth_case, work, dtype):
    c = synth_case
    src = qidcm.read_series(c.ct)
    rng = np.random.default_rng(3)
    array = (rng.normal(0, 1000, c.labels.shape)).astype(dtype)
    out = os.path.join(work, "pm.dcm")
    summary = qidcm.write_pm(array, metadata=PM_META, source=src, path=out)
    assert summary["frames"] == array.shape[0]
    dciodvfy(out)
    pm = qidcm.read_pm(out)
    assert pm.array.dtype == dtype and pm.array.shape == array.shape
    np.testing.assert_array_equal(pm.array, array)
    np.testing.assert_allclose(pm.affine, c.affine, atol=1e-5)
    assert pm.metadata["QuantityValueCode"]["CodeValue"] == "113041"


def test_pet_suv_matches_pet2suv(work):
    import pet_synth
    pet = os.path.join(work, "pet")
    pet_synth.write_pet(pet, "pet", slices=10, rows=24, columns=20)
    suv = qidcm.pet_suv(pet)
    image = os.path.join(work, "suv.nrrd")
    report = os.path.join(work, "suv.json")
    run(tool("pet2suv"), "--inputDICOMDirectory", pet, "--outputImage", image, "--outputMetadata", report)
    expected = read_nrrd(image)
    assert suv.array.dtype == np.float32 and suv.array.shape == expected.shape == (10, 24, 20)
    np.testing.assert_array_equal(suv.array, expected)
    tool_report = json.load(open(report))
    assert suv.factors == [s["suvFactor"] for s in tool_report["slices"]]
    assert suv.report["branch"] == tool_report["branch"]


def test_sr_round_trip(work):
    example = os.path.join(SHARED, "dcmqi", "doc", "examples", "sr-tid1500-ct-liver-example.json")
    segs = os.path.join(SHARED, "dcmqi", "data", "segmentations")
    report = json.load(open(example))
    out = os.path.join(work, "sr.dcm")
    s = qidcm.write_sr(report, path=out, context=segs, image_library=os.path.join(segs, "ct-3slice"))
    assert s["measurements"] > 0
    dciodvfy(out)
    back = qidcm.read_sr(out)
    run(tool("tid1500reader"), "--inputDICOM", out, "--outputMetadata", os.path.join(work, "tool.json"))
    assert back == json.load(open(os.path.join(work, "tool.json")))
    again = os.path.join(work, "sr2.dcm")
    qidcm.write_sr(back, path=again, context=segs, image_library=os.path.join(segs, "ct-3slice"))
    assert qidcm.read_sr(again)["Measurements"] == back["Measurements"]

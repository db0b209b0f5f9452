#!/usr/bin/python3
"""What the SR case drivers (sr_write_cases.py, sr_read_refuse_cases.py) share:
paths of the fixtures, running a tool, the independent reading of the content
tree (pydicom), and the drivers' main.

Not a driver: it has no cases.
"""
import driver  # the common command line (test/e2e/driver.py)
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
EX = os.path.join(SHARED, "dcmqi", "doc", "examples")
SR_EXAMPLE = os.path.join(SHARED, "dcmqi", "data", "sr-example")
SEGS = os.path.join(SHARED, "dcmqi", "data", "segmentations")
CT3 = os.path.join(SEGS, "ct-3slice")
INTEROP = os.path.join(ROOT, "test", "interop")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def example(name):
    return json.load(open(os.path.join(EX, name)))


# ---------------------------------------------------------------------------
# Independent reading of the content tree (pydicom)

def concept(item):
    c = item.ConceptNameCodeSequence[0] if "ConceptNameCodeSequence" in item and len(item.ConceptNameCodeSequence) else None
    return (c.CodeValue, c.CodingSchemeDesignator) if c is not None else (None, None)


def children(item):
    return list(item.ContentSequence) if "ContentSequence" in item else []


def code_of(item):
    c = item.ConceptCodeSequence[0]
    return {"CodeValue": c.CodeValue, "CodingSchemeDesignator": c.CodingSchemeDesignator, "CodeMeaning": c.CodeMeaning}


def groups_of(ds):
    """(groups, measurement NUMs per group) counted straight from the dataset."""
    out = []
    for container in children(ds):
        if concept(container) == ("126010", "DCM"):
            for g in children(container):
                if concept(g) == ("125007", "DCM"):
                    out.append(g)
    return out


def nums_of(group):
    return [i for i in children(group) if i.ValueType == "NUM" and i.RelationshipType == "CONTAINS"]


def find(items, value, scheme="DCM"):
    return [i for i in items if concept(i) == (value, scheme)]


class Ctx:
    def __init__(self, a):
        self.bin = a.bin
        self.work = a.work

    def tool(self, name):
        return os.path.join(self.bin, name)


def run_case(cases):
    """An SR case driver's main: the command line of driver.py, then the named case of
    cases (name -> function of a Ctx). Exit status 1 when the case found a problem."""
    a = driver.case_arguments(cases)
    a.work = driver.fresh_directory(a.work, "sr", a.case)
    cases[a.case](Ctx(a))
    return driver.finish()

// Independent read-back of a TID 1500 SR with dcmjs (JavaScript): walks the
// content tree of the naturalized dataset and counts the Measurement Groups
// under Imaging Measurements and the NUM items they contain.
// Usage: node dcmjs_sr_check.js <file> <json-expectations>
// Expectations: {"groups": N, "measurements": N, "values": ["1.96", ...], "sopClass": "..."}
const fs = require("fs");
const dcmjs = require("dcmjs");

function fail(message) {
  console.error("dcmjs SR check failed: " + message);
  process.exit(1);
}

const [file, expectText] = process.argv.slice(2);
if (!file || !expectText) fail("usage: node dcmjs_sr_check.js <file> <expectations-json>");
const expect = JSON.parse(expectText);

let dataset;
try {
  const bytes = fs.readFileSync(file);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const dict = dcmjs.data.DicomMessage.readFile(arrayBuffer);
  dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
} catch (e) {
  fail("dcmjs cannot parse " + file + ": " + e.message);
}
const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const code = (item) => asArray(item.ConceptNameCodeSequence)[0] || {};
const is = (item, value, scheme) => code(item).CodeValue === value && code(item).CodingSchemeDesignator === scheme;

if (expect.sopClass !== undefined && dataset.SOPClassUID !== expect.sopClass)
  fail(`SOP Class ${dataset.SOPClassUID}, expected ${expect.sopClass}`);
if (!is(dataset, "126000", "DCM")) fail("root concept is not (126000, DCM)");
let groups = 0;
const values = [];
for (const container of asArray(dataset.ContentSequence).filter((i) => is(i, "126010", "DCM")))
  for (const group of asArray(container.ContentSequence).filter((i) => is(i, "125007", "DCM"))) {
    groups += 1;
    for (const item of asArray(group.ContentSequence))
      if (item.ValueType === "NUM" && item.RelationshipType === "CONTAINS")
        values.push(String(asArray(asArray(item.MeasuredValueSequence)[0].NumericValue)[0]));
  }
if (expect.groups !== undefined && groups !== expect.groups) fail(`expected ${expect.groups} groups, found ${groups}`);
if (expect.measurements !== undefined && values.length !== expect.measurements)
  fail(`expected ${expect.measurements} measurements, found ${values.length}`);
if (expect.values !== undefined) {
  const near = (a, b) => Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(b)));
  if (expect.values.length !== values.length || !expect.values.every((v, i) => near(values[i], v)))
    fail(`values ${JSON.stringify(values)} differ from ${JSON.stringify(expect.values)}`);
}
console.log(`dcmjs: ${groups} measurement group(s), ${values.length} measurement(s)`);

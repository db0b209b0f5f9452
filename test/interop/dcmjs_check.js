// Independent read-back of a DICOM SEG with dcmjs (JavaScript).
// Usage: node dcmjs_check.js <file> <json-expectations>
// Expectations: {"segments": N, "labels": [...], "frames": N, "sopClass": "...", "type": "BINARY"}
// (all optional; the frame count and pixel data length are always checked)
// Exits 0 when dcmjs parses the file and every expectation holds.
const fs = require("fs");
const dcmjs = require("dcmjs");

function fail(message) {
  console.error("dcmjs check failed: " + message);
  process.exit(1);
}

const [file, expectText] = process.argv.slice(2);
if (!file || !expectText) fail("usage: node dcmjs_check.js <file> <expectations-json>");
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
const segments = asArray(dataset.SegmentSequence);
if (expect.segments !== undefined && segments.length !== expect.segments)
  fail(`expected ${expect.segments} segments, dcmjs found ${segments.length}`);
if (expect.labels !== undefined) {
  const labels = segments.map((s) => s.SegmentLabel);
  if (JSON.stringify(labels) !== JSON.stringify(expect.labels))
    fail(`segment labels ${JSON.stringify(labels)} differ from ${JSON.stringify(expect.labels)}`);
}
const frames = Number(dataset.NumberOfFrames);
if (expect.frames !== undefined && frames !== expect.frames)
  fail(`expected ${expect.frames} frames, dcmjs found ${frames}`);
const perFrame = asArray(dataset.PerFrameFunctionalGroupsSequence);
if (perFrame.length !== frames) fail(`${perFrame.length} per-frame functional group items for ${frames} frames`);
if (expect.sopClass !== undefined && dataset.SOPClassUID !== expect.sopClass)
  fail(`SOP Class ${dataset.SOPClassUID}, expected ${expect.sopClass}`);
if (expect.type !== undefined && dataset.SegmentationType !== expect.type)
  fail(`Segmentation Type ${dataset.SegmentationType}, expected ${expect.type}`);
// Pixel Data must hold exactly the frames declared.
const pixel = asArray(dataset.PixelData || dataset.FloatPixelData || dataset.DoubleFloatPixelData)[0];
if (pixel === undefined) fail("no Pixel Data");
const bits = Number(dataset.BitsAllocated);
const needed = Math.ceil((Number(dataset.Rows) * Number(dataset.Columns) * frames * bits) / 8);
const length = pixel.byteLength;
if (length !== needed && length !== needed + (needed % 2))
  fail(`Pixel Data holds ${length} bytes, ${needed} expected for ${frames} frames`);
console.log(`dcmjs: ${segments.length} segments, ${frames} frames, ${length} pixel bytes`);

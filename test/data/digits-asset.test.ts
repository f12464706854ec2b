/**
 * The compact binary file of the MNIST digits that the browser build reads: it decodes to exactly
 * the values of the `mnist` package's JSON files, the build writes it reproducibly, and a damaged
 * file is rejected with a clear error.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeDigits,
  DIGITS_ASSET,
  encodeDigits,
  MNIST_PIXELS,
} from "../../kernel-lib/src/data/digits-asset";
import { readDigitClasses } from "../../kernel-lib/src/data/digits-source";

const ASSET = path.resolve(__dirname, "../../kernel-lib/dist-browser", DIGITS_ASSET);

describe("the digits asset of the browser build", () => {
  it("decodes to the JSON files' values, bit for bit as doubles", () => {
    const classes = decodeDigits(new Uint8Array(fs.readFileSync(ASSET)));
    expect(classes).toHaveLength(10);
    for (let digit = 0; digit < 10; digit++) {
      const json = (
        JSON.parse(fs.readFileSync(require.resolve(`mnist/src/digits/${digit}.json`), "utf8")) as {
          data: number[];
        }
      ).data;
      const decoded = Float64Array.from(classes[digit], (t) => t / 1000);
      expect(decoded.length).toBe(json.length);
      // Compare the bytes of the doubles, so even a difference in the last bit fails.
      expect(Buffer.from(decoded.buffer).equals(Buffer.from(Float64Array.from(json).buffer))).toBe(true);
    }
  });

  it("is what the build writes from the JSON files, at under 0.3 bytes per pixel", () => {
    const bytes = fs.readFileSync(ASSET);
    expect(Buffer.from(encodeDigits(readDigitClasses())).equals(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(10_000 * MNIST_PIXELS * 0.3);
  });

  it("round-trips any pixels with at most 256 distinct values, including long runs of zeros", () => {
    const image = new Uint16Array(MNIST_PIXELS);
    image.set([1000, 4, 0, 0, 996], 300);
    const classes = [new Uint16Array(2 * MNIST_PIXELS), Uint16Array.from([...image, ...image]), image];
    expect(decodeDigits(encodeDigits(classes))).toEqual(classes);
  });

  it("rejects a damaged or truncated file, saying how to rebuild it", () => {
    const bytes = new Uint8Array(fs.readFileSync(ASSET));
    expect(() => decodeDigits(bytes.subarray(0, bytes.length - 10))).toThrow(
      /mnist-digits\.bin is damaged \(it ends too early\); rebuild it with npm run build/,
    );
    const wrongMagic = bytes.slice(0, 600);
    wrongMagic[0] = 0x58;
    expect(() => decodeDigits(wrongMagic)).toThrow(/starts with "XLDIGIT1"/);
    const tooMany = Uint16Array.from({ length: MNIST_PIXELS }, (_, i) => i);
    expect(() => encodeDigits([tooMany])).toThrow(/784 distinct pixel values; the format stores at most 256/);
  });
});

/**
 * The shipped MNIST digits as one compact binary file, for the browser (where the ten JSON files of
 * the `mnist` package, 21 MB, would be slow to fetch and parse). It holds exactly the values of the
 * JSON files: every pixel there is one of 256 values in thousandths (the original byte b as b/255
 * rounded to three decimals), so a pixel is stored as the index of its value in a 256-entry table,
 * and since about 80% of the pixels are 0, a run of zeros is stored as two bytes.
 *
 * Layout (integers little-endian):
 *
 * | bytes        | holds                                                              |
 * |--------------|--------------------------------------------------------------------|
 * | 8            | the magic text "GLDIGIT1" (format version 1)                       |
 * | 4            | pixels per image (784)                                             |
 * | 4            | number of classes C (10)                                           |
 * | 4 · C        | images in each class                                               |
 * | 2 · 256      | the value table: pixel values in thousandths, ascending, table[0] = 0 |
 * | rest         | the images, class after class, pixel after pixel: an index i > 0 is one pixel of value
 * table[i]; index 0 followed by a count n (1–255) is n pixels of value 0 |
 *
 * A class decodes to thousandths (0–1000), one image after another: the same numbers the JSON
 * files hold, so thousandths / 1000 gives bit-identical doubles in Node and in the browser.
 */

/** Pixels per image (28 × 28). */
export const MNIST_PIXELS = 784;

/** The file name of the digits asset beside kernel-lib's browser bundle. */
export const DIGITS_ASSET = "mnist-digits.bin";

const MAGIC = "GLDIGIT1";
const TABLE_SIZE = 256;

/** The binary file of `classes` (pixel values in thousandths, one image after another, per class). */
export function encodeDigits(classes: Uint16Array[]): Uint8Array {
  const values = new Set<number>([0]);
  for (const pixels of classes) for (const v of pixels) values.add(v);
  if (values.size > TABLE_SIZE)
    throw new Error(
      `digits asset: the digits hold ${values.size} distinct pixel values; the format stores at most ${TABLE_SIZE}.`,
    );
  const table = Array.from(values).sort((a, b) => a - b);
  const index = new Map(table.map((v, i) => [v, i]));
  const header = MAGIC.length + 8 + 4 * classes.length + 2 * TABLE_SIZE;
  const total = classes.reduce((s, pixels) => s + pixels.length, 0);
  // Worst case: every pixel stored as one byte, or every zero as two.
  const out = new Uint8Array(header + 2 * total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  let at = MAGIC.length;
  view.setUint32(at, MNIST_PIXELS, true);
  view.setUint32(at + 4, classes.length, true);
  at += 8;
  for (const pixels of classes) {
    if (pixels.length % MNIST_PIXELS !== 0)
      throw new Error(
        `digits asset: a class holds ${pixels.length} pixel values, not a multiple of ${MNIST_PIXELS}.`,
      );
    view.setUint32(at, pixels.length / MNIST_PIXELS, true);
    at += 4;
  }
  for (let i = 0; i < TABLE_SIZE; i++) view.setUint16(at + 2 * i, i < table.length ? table[i] : 0, true);
  at += 2 * TABLE_SIZE;
  for (const pixels of classes) {
    let zeros = 0;
    const flush = () => {
      out[at++] = 0;
      out[at++] = zeros;
      zeros = 0;
    };
    for (let p = 0; p < pixels.length; p++) {
      // Runs never cross an image boundary, so each image decodes on its own.
      if (p % MNIST_PIXELS === 0 && zeros > 0) flush();
      if (pixels[p] === 0) {
        if (++zeros === 255) flush();
      } else {
        if (zeros > 0) flush();
        out[at++] = index.get(pixels[p]) as number;
      }
    }
    if (zeros > 0) flush();
  }
  return out.slice(0, at);
}

/** The classes stored in a digits file: per class, pixel values in thousandths, one image after another. */
export function decodeDigits(bytes: Uint8Array): Uint16Array[] {
  const fail = (why: string) =>
    new Error(`mnist: the digits file ${DIGITS_ASSET} is damaged (${why}); rebuild it with npm run build.`);
  const magic = String.fromCharCode(...Array.from(bytes.subarray(0, MAGIC.length)));
  if (magic !== MAGIC) throw fail(`it starts with ${JSON.stringify(magic)}, not "${MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = MAGIC.length;
  const pixelsPerImage = view.getUint32(at, true);
  const count = view.getUint32(at + 4, true);
  if (pixelsPerImage !== MNIST_PIXELS) throw fail(`${pixelsPerImage} pixels per image, not ${MNIST_PIXELS}`);
  at += 8;
  const sizes: number[] = [];
  for (let c = 0; c < count; c++, at += 4) sizes.push(view.getUint32(at, true));
  const table = new Uint16Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = view.getUint16(at + 2 * i, true);
  at += 2 * TABLE_SIZE;
  const classes: Uint16Array[] = [];
  for (const images of sizes) {
    const pixels = new Uint16Array(images * MNIST_PIXELS);
    let p = 0;
    while (p < pixels.length) {
      if (at >= bytes.length) throw fail("it ends too early");
      const i = bytes[at++];
      if (i === 0)
        p += bytes[at++]; // a run of zeros: the array already holds 0
      else pixels[p++] = table[i];
    }
    if (p !== pixels.length) throw fail("a run of zeros crosses the end of a class");
    classes.push(pixels);
  }
  if (at !== bytes.length) throw fail(`${bytes.length - at} bytes are left over`);
  return classes;
}

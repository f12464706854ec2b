/**
 * The browser bundle is kernel-lib's own code: loaded in Node with a browser host installed, it
 * exports the same names and trains a sigmoid network with cross-entropy bit-identically to the
 * Node build. (In Chromium the same run can differ in the last bits, because Chromium's Math.exp
 * and Math.log round differently from Node's; test/browser/worker.test.ts measures that.)
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BrowserHost } from "../../kernel-lib/src/display/host";
import { HOST_KEY } from "../../kernel-lib/src/display/host";

const DIST_BROWSER = path.resolve(__dirname, "../../kernel-lib/dist-browser");

type Lib = typeof import("../../kernel-lib");
// The Node build as a notebook loads it (an ES import would add a synthetic "default" export).
const nodeBuild = require("../../kernel-lib") as Lib;
const hostSlot = globalThis as unknown as { [HOST_KEY]?: BrowserHost };

/**
 * Installs a host that records outputs and reads files from dist-browser/, and loads the bundle as the
 * browser kernel does.
 */
function loadBundle(outputs: unknown[]): Lib {
  hostSlot[HOST_KEY] = {
    display: (message) => outputs.push(message),
    readAsset: (name) => new Uint8Array(fs.readFileSync(path.join(DIST_BROWSER, name))),
  };
  const module = { exports: {} as Lib };
  const require = (id: string) => {
    throw new Error(`the bundle asked for ${id}`);
  };
  new Function(
    "module",
    "exports",
    "require",
    fs.readFileSync(path.join(DIST_BROWSER, "kernel-lib.js"), "utf8"),
  )(module, module.exports, require);
  return module.exports;
}

function train(lib: Lib): { steps: number[]; W: number[] } {
  const { X, y } = lib.data.mnist({ count: 150, seed: 4 });
  const net = lib.mlp([784, 12, 10], { activation: "sigmoid", init: "nielsen", seed: 5 });
  const h = lib.fit(
    net,
    { X, y },
    { loss: lib.losses.crossEntropy, lr: 0.5, epochs: 2, batchSize: 10, seed: 6, progress: "off" },
  );
  return { steps: h.steps.map((s) => s.loss), W: Array.from(net.layers[0].W.data) };
}

afterEach(() => {
  delete hostSlot[HOST_KEY];
});

describe("the browser bundle run in Node", () => {
  it("has the Node build's exports and trains bit-identically, reading the digits from the binary file", () => {
    const outputs: unknown[] = [];
    const bundle = loadBundle(outputs);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(nodeBuild).sort());
    expect(bundle.version).toBe(nodeBuild.version);
    const fromBundle = train(bundle);
    delete hostSlot[HOST_KEY];
    const fromNode = train(nodeBuild);
    expect(fromBundle.steps).toHaveLength(30);
    expect(
      Buffer.from(Float64Array.from(fromBundle.steps).buffer).equals(
        Buffer.from(Float64Array.from(fromNode.steps).buffer),
      ),
    ).toBe(true);
    expect(
      Buffer.from(Float64Array.from(fromBundle.W).buffer).equals(
        Buffer.from(Float64Array.from(fromNode.W).buffer),
      ),
    ).toBe(true);
    expect(outputs).toEqual([]);
  });

  it("says clearly when the kernel did not install the host", () => {
    const bundle = loadBundle([]);
    delete hostSlot[HOST_KEY];
    expect(() => bundle.data.mnist({ count: 10 })).toThrow(
      /mnist needs the browser kernel's host, which is not installed: the kernel's worker must set globalThis\[Symbol\.for\("gradient-lab\.host"\)\]/,
    );
  });
});

/**
 * When tslab runs but its internal writer is not where tslab 1.0.22 keeps it (a future tslab),
 * `show` falls back to tslab's public `display`, which sends one MIME type: the HTML.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as plot from "../../kernel-lib/src/plot";
import { createLiveOutput, inKernel, show } from "../../kernel-lib/src";

describe("fallback to tslab's public display", () => {
  const g = globalThis as { __tslab__?: unknown };
  const tslabPath = require.resolve("tslab");
  const saved = require.cache[tslabPath];
  const sent: [string, string][] = [];

  afterAll(() => {
    delete g.__tslab__;
    if (saved) require.cache[tslabPath] = saved;
    else delete require.cache[tslabPath];
  });

  it("sends the HTML alone through display.raw", () => {
    for (const key of Object.keys(require.cache)) {
      if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) delete require.cache[key];
    }
    const fake = { raw: (mime: string, b: string) => void sent.push([mime, b]) };
    require.cache[tslabPath] = {
      id: tslabPath,
      filename: tslabPath,
      loaded: true,
      exports: { display: fake, newDisplay: () => fake },
    } as unknown as NodeJS.Module;
    g.__tslab__ = {};
    expect(inKernel()).toBe(true);
    show(plot.curves([{ name: "a", x: [0, 1], y: [0, 1] }], { title: "fallback" }));
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toBe("text/html");
    expect(sent[0][1]).toContain("Plotly.newPlot");
    const live = createLiveOutput();
    live.text("step 1");
    expect(sent[1]).toEqual(["text/plain", "step 1"]);
  });
});

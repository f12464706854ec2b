/**
 * Where plotly.js comes from in Node: the file plotly.min.js of the `plotly.js-dist-min` package,
 * read as text (`require("plotly.js-dist-min")` fails in Node, since the bundle expects a browser).
 * The browser build replaces this file with `plotly-file.browser.ts` (see kernel-lib's package.json
 * "browser" field), which reads the same file from the site.
 */

import * as fs from "fs";

/** The path of plotly.min.js from the plotly.js-dist-min package. */
export function plotlyPath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

/** The text of plotly.min.js. */
export function readPlotly(): string {
  return fs.readFileSync(plotlyPath(), "utf8");
}

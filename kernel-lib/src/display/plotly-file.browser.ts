/**
 * Where plotly.js comes from in the browser: the file plotly.min.js shipped beside kernel-lib's
 * browser bundle, read through the browser kernel's host. It replaces `plotly-file.ts` in the
 * browser build.
 */

import { requireBrowserHost } from "./host";
import type * as Desktop from "./plotly-file";

/** The name of the site file that holds plotly.min.js (the browser has no file paths). */
export const plotlyPath: typeof Desktop.plotlyPath = () => "plotly.min.js";

/** The text of plotly.min.js, read from the site. */
export const readPlotly: typeof Desktop.readPlotly = () =>
  new TextDecoder().decode(requireBrowserHost("plotly.js").readAsset(plotlyPath()));

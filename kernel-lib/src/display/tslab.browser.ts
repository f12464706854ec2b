/**
 * The browser build's stand-in for `tslab.ts`: there is no tslab in a Web Worker, so there is no
 * tslab writer; the browser host carries every output instead (see `host.ts`).
 */

import type * as Desktop from "./tslab";

/** No tslab in the browser: no writer. */
export const tslabWriter: typeof Desktop.tslabWriter = () => null;

/** No tslab in the browser. */
export const tslabWithoutWriter: typeof Desktop.tslabWithoutWriter = () => false;

/** Never called in the browser, since `tslabWithoutWriter()` is false. */
export const tslabPublicDisplay: typeof Desktop.tslabPublicDisplay = () => {
  throw new Error(
    "tslab's display does not exist in the browser kernel; kernel-lib sends outputs through the browser host.",
  );
};

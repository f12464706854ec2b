/**
 * The modules a cell can import in the browser: kernel-lib, built for the browser from the same
 * sources as in Node, and the part of tslab's API the lessons use.
 */
import * as kernelLib from "kernel-lib";
import * as tslab from "tslab";

/** Module name → its exports. */
export const MODULES: Record<string, unknown> = { "kernel-lib": kernelLib, tslab };

/**
 * Where the MNIST digits come from in the browser: the compact binary file `mnist-digits.bin`
 * (see `digits-asset.ts`) that ships beside kernel-lib's browser bundle, read through the browser
 * kernel's host. It replaces `digits-source.ts` in the browser build.
 */

import { requireBrowserHost } from "../display/host";
import { decodeDigits, DIGITS_ASSET } from "./digits-asset";
import type * as Desktop from "./digits-source";

/** The shipped digits of the ten classes, in thousandths, decoded from the site's digits file. */
export const readDigitClasses: typeof Desktop.readDigitClasses = () =>
  decodeDigits(requireBrowserHost("mnist").readAsset(DIGITS_ASSET));

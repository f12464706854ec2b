/**
 * `tsx binder/register-kernel.ts`: registers Gradient Lab's TypeScript kernel as "tslab" in the
 * current user's Jupyter data folder (`jupyter --data-dir`), run by the Node that runs this script.
 * Binder's postBuild uses it, since Binder's Jupyter is the image's own and not this project's .venv/.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tslabKernelSpec } from "../scripts/jupyter/env";
import { writeFileAtomic } from "../scripts/lib/files";

const dataDir = execFileSync("jupyter", ["--data-dir"], { encoding: "utf8" }).trim();
const file = path.join(dataDir, "kernels", "tslab", "kernel.json");
fs.mkdirSync(path.dirname(file), { recursive: true });
writeFileAtomic(file, JSON.stringify(tslabKernelSpec(), null, 1) + "\n");
console.log(`Registered the TypeScript kernel in ${file}`);

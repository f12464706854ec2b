/**
 * `npm run strip -- [files...]`: removes outputs, execution counts and timing metadata from
 * notebooks (all of notebooks/ when no file is named), adds missing cell ids and writes the JSON the
 * way Jupyter does, so they are ready to commit. Each file is rewritten atomically and only when
 * something changed.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./lib/files";
import { readNotebook, serializeNotebook, stripNotebook } from "./jupyter/hygiene";
import { listNotebooks } from "./jupyter/runner";
import { runMain, UsageError } from "./lib/cli";

function main(): number {
  // npm runs scripts from the project root; names are relative to where the command was typed.
  const files = process.argv
    .slice(2)
    .map((file) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file));
  const targets = files.length > 0 ? files : listNotebooks();
  for (const file of targets) {
    if (!file.endsWith(".ipynb")) {
      throw new UsageError(`${file} is not a notebook (.ipynb); name notebook files only.`);
    }
  }
  for (const file of targets) {
    const shown = path.relative(process.cwd(), file);
    const text = serializeNotebook(stripNotebook(readNotebook(file)));
    if (text === fs.readFileSync(file, "utf8")) {
      console.log(`clean     ${shown}`);
    } else {
      writeFileAtomic(file, text);
      console.log(`stripped  ${shown}`);
    }
  }
  return 0;
}

runMain(main);

/**
 * Type-checks cells one after another against kernel-lib's real declarations, with a TypeScript
 * language service over a small in-memory file system, and answers completion and documentation
 * requests for the cell being edited.
 *
 * How names carry over: the checked file is the cell plus one header line that imports every name
 * declared by an earlier cell from that cell's declaration file (`/c3.d.ts`), and one footer line
 * that exports every name the cell itself declares. Once a cell passes, its emitted declarations
 * become the next `/cN.d.ts`, so later cells see its names with their inferred types, and a cell
 * that declares a name again shadows the older one.
 */
import ts from "typescript";
import { collectBindingNames } from "./rewrite";

/** One type error, against the learner's own cell (1-based line and column). */
export interface CellDiagnostic {
  line: number;
  column: number;
  message: string;
}

/** Compiler options of the desktop kernel (tslab 1.0.22): non-strict ES2022, ES modules. */
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ["lib.es2022.d.ts"],
  esModuleInterop: true,
  experimentalDecorators: true,
  declaration: true,
  skipLibCheck: true,
  types: [],
  noEmitOnError: false,
};

const CELL = "/cell.ts";

/** The worker's globals (console, timers), checked along with every cell. */
const GLOBALS = "/lib/globals.d.ts";

/**
 * Diagnostics the kernel's cell model makes meaningless: assigning to a `let` of an earlier cell
 * (it arrives as an import here, but is a plain global at run time).
 */
const IGNORED = new Set([2632, 2539]);

/** The language service over the cells run so far. */
export class CellChecker {
  private readonly files = new Map<string, string>();
  private version = 0;
  private cellText = "";
  private headerLength = 0;
  /** Name → number of the latest cell declaring it. */
  private readonly owners = new Map<string, number>();
  private cellCount = 0;
  private readonly service: ts.LanguageService;

  /** `files`: absolute path → text of every declaration file cells may use (libs, packages). */
  constructor(files: Record<string, string>) {
    for (const [p, text] of Object.entries(files)) this.files.set(p, text);
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => OPTIONS,
      getScriptFileNames: () => [GLOBALS, CELL],
      getScriptVersion: (f) => (f === CELL ? String(this.version) : "0"),
      getScriptSnapshot: (f) => {
        const text = f === CELL ? this.cellText : this.files.get(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: () => "/lib/lib.es2022.d.ts",
      fileExists: (f) => f === CELL || this.files.has(f),
      readFile: (f) => (f === CELL ? this.cellText : this.files.get(f)),
      directoryExists: (d) => {
        const prefix = d.endsWith("/") ? d : d + "/";
        for (const f of this.files.keys()) if (f.startsWith(prefix)) return true;
        return false;
      },
      getDirectories: () => [],
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** Type-checks `source`; when it passes, its declarations become visible to later cells. */
  check(source: string): CellDiagnostic[] {
    this.load(source);
    const diagnostics = [
      ...this.service.getSyntacticDiagnostics(CELL),
      ...this.service.getSemanticDiagnostics(CELL),
    ];
    const errors: CellDiagnostic[] = [];
    for (const d of diagnostics) {
      if (d.category !== ts.DiagnosticCategory.Error || IGNORED.has(d.code)) continue;
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (d.start === undefined || d.start < this.headerLength) {
        errors.push({ line: 0, column: 0, message });
        continue;
      }
      const sf = this.service.getProgram()!.getSourceFile(CELL)!;
      const pos = sf.getLineAndCharacterOfPosition(d.start);
      errors.push({ line: pos.line, column: pos.character + 1, message });
    }
    if (errors.length === 0) this.commit(source);
    return errors;
  }

  /** Completion names at `cursor` (an offset into `source`), and the range they replace. */
  complete(source: string, cursor: number): { matches: string[]; start: number; end: number } {
    this.load(source);
    let start = cursor;
    while (start > 0 && /[\w$]/.test(source[start - 1])) start--;
    const info = this.service.getCompletionsAtPosition(CELL, this.headerLength + cursor, {});
    const prefix = source.slice(start, cursor);
    const matches = (info?.entries ?? [])
      .map((e) => e.name)
      .filter((n) => n.startsWith(prefix))
      .sort((a, b) => a.localeCompare(b));
    return { matches: [...new Set(matches)], start, end: cursor };
  }

  /** The signature and TSDoc of the name at `cursor`, or null when there is none. */
  inspect(source: string, cursor: number): string | null {
    this.load(source);
    const at = this.headerLength + cursor;
    // Shift+Tab is pressed right after a name, or inside its call's parentheses.
    let info =
      this.service.getQuickInfoAtPosition(CELL, at) ?? this.service.getQuickInfoAtPosition(CELL, at - 1);
    if (!info) {
      const help = this.service.getSignatureHelpItems(CELL, at, undefined);
      if (help) info = this.service.getQuickInfoAtPosition(CELL, help.applicableSpan.start - 2);
    }
    if (!info) return null;
    // A name imported from kernel-lib shows as "(alias) mlp(…)\nimport mlp": keep the signature.
    const signature = ts
      .displayPartsToString(info.displayParts)
      .replace(/^\(alias\) /, "")
      .split("\n")
      .filter((line) => !/^import /.test(line))
      .join("\n");
    const doc = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`.trim());
    return [signature, doc, ...tags].filter((s) => s).join("\n\n");
  }

  /** Makes `source` the checked file, after the header importing earlier cells' names. */
  private load(source: string): void {
    const own = declaredNames(source);
    const byCell = new Map<number, string[]>();
    for (const [name, cell] of this.owners) {
      if (own.has(name)) continue;
      byCell.set(cell, [...(byCell.get(cell) ?? []), name]);
    }
    const header = [...byCell]
      .map(([cell, names]) => `import { ${names.join(", ")} } from "./c${cell}";`)
      .join(" ");
    const footer = `export { ${[...own].join(", ")} };`;
    this.headerLength = header.length + 1;
    this.cellText = `${header}\n${source}\n${footer}\n`;
    this.version++;
  }

  /** Stores the checked cell's declarations as the next `/cN.d.ts`. */
  private commit(source: string): void {
    const output = this.service.getEmitOutput(CELL, true).outputFiles.find((f) => f.name.endsWith(".d.ts"));
    this.cellCount++;
    this.files.set(`/c${this.cellCount}.d.ts`, output?.text ?? "export {};\n");
    for (const name of declaredNames(source)) this.owners.set(name, this.cellCount);
  }
}

/** Every name a cell declares at its top level (values, types and imports). */
export function declaredNames(source: string): Set<string> {
  const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) collectBindingNames(d.name, names);
    } else if (
      (ts.isFunctionDeclaration(stmt) ||
        ts.isClassDeclaration(stmt) ||
        ts.isInterfaceDeclaration(stmt) ||
        ts.isTypeAliasDeclaration(stmt) ||
        ts.isEnumDeclaration(stmt)) &&
      stmt.name
    ) {
      names.push(stmt.name.text);
    } else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) {
      names.push(stmt.name.text);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const clause = stmt.importClause;
      if (clause.name) names.push(clause.name.text);
      const b = clause.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.push(b.name.text);
      else if (b) for (const el of b.elements) names.push(el.name.text);
    }
  }
  return new Set(names);
}

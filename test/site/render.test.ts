/**
 * The site exporter's rendering, without a kernel: Markdown with KaTeX, outputs, solutions,
 * summaries and time estimates.
 */
import { describe, expect, test } from "vitest";
import type { Notebook } from "../../scripts/jupyter/runner";
import { MarkdownRenderer } from "../../scripts/site/markdown";
import { ansiToHtml, fixCarriageReturns, PLOTLY_MIME, renderOutput } from "../../scripts/site/outputs";
import { hideSolutions, renderLesson, statedDuration, summarySource } from "../../scripts/site/pages";

/** The TeX sources KaTeX typeset, in order. */
function formulas(html: string): string[] {
  return Array.from(
    html.matchAll(/<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/g),
    (m) =>
      m[1]
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&#x27;/g, "'"),
  );
}

function notebook(cells: Notebook["cells"], metadata: Record<string, unknown> = {}): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata, cells };
}

describe("Markdown with mathematics", () => {
  test("inline math is typeset, and markdown-it's emphasis and escapes do not touch it", () => {
    const r = new MarkdownRenderer();
    const html = r.render("for $a_1 * b_2$ and $c_3 * d_4$, with $\\{x\\}$ and *real* emphasis");
    expect(formulas(html)).toEqual(["a_1 * b_2", "c_3 * d_4", "\\{x\\}"]);
    expect(html).toContain("<em>real</em>");
    expect(html).not.toContain("<em>b");
    expect(r.ctx.problems).toEqual([]);
  });

  test("display math, inline or on lines of its own (even across a blank line or a line that looks like a list)", () => {
    expect(formulas(new MarkdownRenderer().render("text $$\\sum_i x_i$$ text"))).toEqual(["\\sum_i x_i"]);
    const block = new MarkdownRenderer().render("before\n$$\na_1\n\n- b_2\n$$\nafter");
    expect(formulas(block)).toEqual(["\na_1\n\n- b_2\n"]);
    expect(block).toContain('<div class="math-block">');
    expect(block).not.toContain("<li>");
    expect(block).toMatch(/<p>before<\/p>[\s\S]*<p>after<\/p>/);
  });

  test("dollars that are not math stay dollars: escaped, in code, prices", () => {
    const html = new MarkdownRenderer().render("costs \\$5, `$x$` in code, $5 and $10, and ```\n$y$\n```");
    expect(formulas(html)).toEqual([]);
    expect(html).toContain("costs $5");
    expect(html).toContain("<code>$x$</code>");
    expect(html).toContain("$5 and $10");
  });

  test("punctuation after a formula stays on its line", () => {
    const html = new MarkdownRenderer().render("the value $x$.");
    expect(html).toMatch(/<span class="math-nowrap"><span class="katex">[\s\S]*<\/span>\.<\/span><\/p>/);
  });

  test("tables, <details> hints with math inside, and heading ids", () => {
    const html = new MarkdownRenderer().render(
      "| a | $x^2$ |\n|---|---|\n| 1 | 2 |\n\n<details><summary>Hint</summary>\n\nUse $\\sigma'(z)$.\n\n</details>\n\n## Step 1\n## Step 1",
    );
    expect(html).toContain("<table>");
    expect(formulas(html)).toEqual(["x^2", "\\sigma'(z)"]);
    expect(html).toMatch(/<details><summary>Hint<\/summary>\s*<p>Use /);
    expect(html).toContain('<h2 id="step-1">');
    expect(html).toContain('<h2 id="step-1-2">');
  });

  test("a formula KaTeX rejects is reported and shown as its source", () => {
    const r = new MarkdownRenderer();
    const html = r.render("bad $\\frac{1$ here");
    expect(html).toContain('<span class="math-error"');
    expect(r.ctx.problems).toHaveLength(1);
    expect(r.ctx.problems[0].tex).toBe("\\frac{1");
  });

  test("macros defined in one cell work in the next, as in JupyterLab", () => {
    const r = new MarkdownRenderer();
    r.render("$\\gdef\\loss{\\mathcal{L}}$");
    r.render("$\\loss$");
    expect(r.ctx.problems).toEqual([]);
  });
});

describe("outputs", () => {
  const ctx = () => {
    let n = 0;
    return {
      markdown: new MarkdownRenderer(),
      stats: { figures: 0, images: 0 },
      nextFigureId: () => `figure-${++n}`,
    };
  };

  test("carriage returns and backspaces behave as in a terminal", () => {
    expect(fixCarriageReturns("epoch 1\repoch 2\repoch 3\ndone\n")).toBe("epoch 3\ndone\n");
    expect(fixCarriageReturns("abcdef\rXY")).toBe("XYcdef");
    expect(fixCarriageReturns("ab\x08c")).toBe("ac");
    expect(fixCarriageReturns("line\r\nnext")).toBe("line\nnext");
  });

  test("ANSI colours become classes; text is escaped; other escapes are dropped", () => {
    expect(ansiToHtml("\x1b[31mError\x1b[0m: <b>")).toBe('<span class="ansi-red-fg">Error</span>: &lt;b&gt;');
    expect(ansiToHtml("\x1b[1;94mx\x1b[22m y\x1b[39m")).toBe(
      '<span class="ansi-bright-blue-fg ansi-bold">x</span><span class="ansi-bright-blue-fg"> y</span>',
    );
    expect(ansiToHtml("a\x1b[2Kb")).toBe("ab");
  });

  test("a plotly figure is drawn from its JSON, not from the HTML fallback", () => {
    const c = ctx();
    const html = renderOutput(
      {
        output_type: "display_data",
        data: {
          [PLOTLY_MIME]: { data: [{ y: [1, 2] }], layout: { height: 300, title: { text: "</script><b>" } } },
          "text/html": "<div>fallback</div>",
          "text/plain": "Figure",
        },
      },
      c,
    );
    expect(html).toContain(
      '<div class="plotly-figure" id="figure-1" data-figure="figure-1-data" style="height:300px"',
    );
    expect(html).not.toContain("fallback");
    expect(html).not.toContain("</script><b>");
    const json = /<script type="application\/json" id="figure-1-data">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(JSON.parse(json).layout.title.text).toBe("</script><b>");
    expect(c.stats.figures).toBe(1);
  });

  test("checks show their line; SVG inline without its XML prolog; errors and streams as text", () => {
    const c = ctx();
    expect(
      renderOutput(
        {
          output_type: "display_data",
          data: {
            "application/vnd.gradient-lab.check+json": { passed: true },
            "text/plain": "✓ Exercise 1.1: correct",
          },
        },
        c,
      ),
    ).toBe('<div class="output output-check check-passed">✓ Exercise 1.1: correct</div>');
    const svg = renderOutput(
      {
        output_type: "display_data",
        data: {
          "image/svg+xml": '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="10"><g/></svg>',
          "text/plain": "graph",
        },
      },
      c,
    );
    expect(svg).toBe('<div class="output output-image output-svg"><svg width="10"><g/></svg></div>');
    expect(
      renderOutput(
        { output_type: "error", ename: "Error", evalue: "boom", traceback: ["\x1b[31mError\x1b[0m: boom"] },
        c,
      ),
    ).toBe('<pre class="output output-error"><span class="ansi-red-fg">Error</span>: boom</pre>');
    expect(renderOutput({ output_type: "stream", name: "stderr", text: ["a <", "b\n"] }, c)).toBe(
      '<pre class="output output-stream output-stderr">a &lt;b\n</pre>',
    );
    expect(renderOutput({ output_type: "execute_result", data: { "text/plain": "42" } }, c)).toBe(
      '<pre class="output output-text">42</pre>',
    );
    const traced = renderOutput(
      {
        output_type: "stream",
        name: "stderr",
        text: "at f (/home/me/project/node_modules/tslab/dist/x.js:1:2)\n",
      },
      { ...c, hidePaths: ["/home/me/project"] },
    );
    expect(traced).toBe(
      '<pre class="output output-stream output-stderr">at f (node_modules/tslab/dist/x.js:1:2)\n</pre>',
    );
  });
});

describe("lessons", () => {
  test("reference solutions are hidden unless asked for", () => {
    const code =
      "function f(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}\nf(2)";
    expect(hideSolutions(code)).toBe(
      "function f(x: number): number {\n  // Your code here. (The reference solution is not shown on this site.)\n}\nf(2)",
    );
    const nb = notebook([{ cell_type: "code", source: code, metadata: {}, outputs: [], execution_count: 1 }]);
    const pageOf = new Map<string, string>();
    expect(
      renderLesson({ notebook: nb, notebookPath: "/x/a.ipynb", page: "a.html", pageOf }).body,
    ).not.toContain("2</span> * x");
    expect(
      renderLesson({ notebook: nb, notebookPath: "/x/a.ipynb", page: "a.html", pageOf, withSolutions: true })
        .body,
    ).toMatch(/return[\s\S]*2[\s\S]*x/);
  });

  test("the summary is the first sentence of the introduction that stands on its own", () => {
    const intro = (text: string) =>
      notebook([{ cell_type: "markdown", source: `# Title\n\n${text}\n\n- a list`, metadata: {} }]);
    expect(
      summarySource(intro("Gradient Lab is a short course on why deep networks stop learning. More.")),
    ).toBe("Gradient Lab is a short course on why deep networks stop learning.");
    expect(
      summarySource(
        intro(
          "In `03-relu.ipynb` you saw ReLU at work, and it was good for the deep networks. This notebook looks at the other half. For inputs $z \\le 0$ ReLU's slope is exactly 0, and such a unit stops learning.",
        ),
      ),
    ).toBe("For inputs $z \\le 0$ ReLU's slope is exactly 0, and such a unit stops learning.");
    expect(
      summarySource(
        notebook([{ cell_type: "markdown", source: "# T\n\nAnything.", metadata: {} }], {
          gradient_lab: { summary: "Set by hand." },
        }),
      ),
    ).toBe("Set by hand.");
  });

  test("the time estimate comes from the notebook's own words", () => {
    const nb = (text: string) =>
      notebook([{ cell_type: "markdown", source: `# T\n\n${text}`, metadata: {} }]);
    expect(statedDuration(nb("It takes about 25 minutes. Run the cells in order."))).toBe("25 min");
    expect(statedDuration(nb("This lesson takes 1 hour."))).toBe("1 hour");
    expect(statedDuration(nb("It takes 20-30 minutes."))).toBe("20–30 min");
    expect(statedDuration(nb("Three training runs take a few seconds each."))).toBeNull();
    expect(statedDuration(nb("50분쯤 걸립니다. 맨 위부터 순서대로 셀을 실행하세요."))).toBe("50 min");
    expect(statedDuration(nb("학습은 각각 몇 초씩 걸립니다."))).toBeNull();
  });

  test("a Korean lesson: its summary sentence, its solution placeholder and its language", () => {
    const intro = notebook([
      {
        cell_type: "markdown",
        source:
          "# 제목\n\n앞 노트북 `01-chain-rule.ipynb` 에서 본 것. 이 노트북은 시그모이드를 ReLU로 바꾸고 무엇이 달라지는지 잽니다. 더.",
        metadata: {},
      },
    ]);
    expect(summarySource(intro)).toBe("이 노트북은 시그모이드를 ReLU로 바꾸고 무엇이 달라지는지 잽니다.");
    const code = "function f(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}";
    const lesson = renderLesson({
      notebook: notebook([
        { cell_type: "code", source: code, metadata: {}, outputs: [], execution_count: 1 },
      ]),
      notebookPath: "/x/ko/a.ipynb",
      page: "a.html",
      notebookName: "ko/a.ipynb",
      pageOf: new Map(),
      language: "ko",
    });
    expect(lesson.body).toContain("참고 답안은 이 사이트에 보이지 않습니다");
    expect(lesson.info).toMatchObject({ notebook: "ko/a.ipynb", language: "ko" });
  });

  test("links to other notebooks point to their pages", () => {
    const nb = notebook([
      {
        cell_type: "markdown",
        source:
          "# T\n\nSee [the next lesson](02-next.ipynb#part-2) and [a site](https://example.org/x.ipynb).",
        metadata: {},
      },
    ]);
    const body = renderLesson({
      notebook: nb,
      notebookPath: "/x/01-t.ipynb",
      page: "01-t.html",
      pageOf: new Map([["02-next.ipynb", "02-next.html"]]),
    }).body;
    expect(body).toContain('href="02-next.html#part-2"');
    expect(body).toContain('href="https://example.org/x.ipynb"');
  });
});

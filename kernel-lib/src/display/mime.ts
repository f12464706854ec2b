/**
 * The MIME types of kernel-lib's own outputs, defined once: the notebook, the exporter, the grader
 * and the tests all read outputs by these names.
 */

/**
 * plotly's figure JSON, which JupyterLab's plotly renderer draws (one of a figure's three representations).
 */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** An exercise check's record (`exercises.ts`): what was checked, whether it passed, its points. */
export const CHECK_MIME = "application/vnd.gradient-lab.check+json";

/** A learner's answers in a notebook output (`answers.ts`). */
export const ANSWER_MIME = "application/vnd.gradient-lab.answer+json";

/** A reference's test inputs and expected values in a notebook output (`answers.ts`). */
export const EXPECTED_MIME = "application/vnd.gradient-lab.expected+json";

/**
 * The inputs a reference's check gave the learner's functions (`answers.ts`, scripts/assignments/judging.ts).
 */
export const CALLS_MIME = "application/vnd.gradient-lab.calls+json";

/**
 * A verdict recorded by the judge, a clean kernel running the reference's check on the learner's data
 * (`answers.ts`).
 */
export const VERDICT_MIME = "application/vnd.gradient-lab.verdict+json";

/**
 * The text a learner reads from kernel-lib (exercise feedback, default figure titles and axis
 * labels), in every language the course is written in. English is the default; the Korean edition's
 * notebooks call `setLanguage("ko")` in their first code cell. Error messages meant for whoever
 * writes the code (bad shapes, bad options) stay in English, like the code itself.
 */

/** A language of the course: "en" (English, the default) or "ko" (Korean). */
export type Language = "en" | "ko";

/** The languages `setLanguage` accepts. */
export const LANGUAGES: readonly Language[] = ["en", "ko"];

/** One entry per message; a function where the text has parts filled in. */
export interface Messages {
  exercise: (id: string) => string;
  points: (n: number) => string;
  correctValue: (got: string) => string;
  correctOnAll: (n: number) => string;
  forInput: (input: string) => string;
  expectedButGot: (tried: string, expected: string, got: string) => string;
  hint: string;
  notAFunction: (got: string) => string;
  threw: (input: string, error: string) => string;
  itThrew: (error: string) => string;
  notImplemented: (id: string) => string;
  forgotReturn: string;
  yourCodeHere: (reference: string) => string;
  saturated: string;
  preActivation: string;
  value: string;
  activationTitle: (name: string, threshold: string) => string;
  decisionBoundary: string;
  classN: (c: number) => string;
  lossPerEpoch: string;
  accuracyPerEpoch: string;
  epoch: string;
  lossAxis: string;
  accuracy: string;
  minibatchLoss: string;
  training: (metric: string) => string;
  validation: (metric: string) => string;
  metric: (metric: "loss" | "accuracy") => string;
  imagesPredicted: string;
  imagesLabelled: string;
  layerN: (n: number) => string;
  layer: string;
  shareOfValues: string;
  trainingStep: string;
  step: string;
  meanActivation: string;
  stdActivation: string;
  shareSaturated: string;
  shareDead: string;
  updateRatio: string;
  perLayerOverTraining: (quantity: string) => string;
  perHiddenLayerOverTraining: (quantity: string) => string;
  perLayerLogColour: (quantity: string) => string;
}

const en: Messages = {
  exercise: (id) => `Exercise ${id}`,
  points: (n) => `${n} ${n === 1 ? "point" : "points"}`,
  correctValue: (got) => `correct: ${got}.`,
  correctOnAll: (n) => `correct on all ${n} test inputs.`,
  forInput: (input) => `for input ${input} `,
  expectedButGot: (tried, expected, got) => `${tried}expected ${expected} but got ${got}.`,
  hint: "Hint:",
  notAFunction: (got) =>
    `expected a function but got ${got}. Define the function in the exercise cell and run that cell first.`,
  threw: (input, error) => `calling it with ${input} threw: ${error}`,
  itThrew: (error) => `it threw: ${error}`,
  notImplemented: (id) =>
    `Exercise ${id} is not implemented yet: replace the line that throws this error with your code, then run the cell again.`,
  forgotReturn: "undefined (did the function forget to return?)",
  yourCodeHere: (reference) =>
    `Your code here. (A reference solution is in ${reference}, if you want to compare afterwards.)`,
  saturated: "saturated",
  preActivation: "pre-activation z",
  value: "value",
  activationTitle: (name, threshold) => `${name}(z) and its derivative; shaded: |${name}′(z)| < ${threshold}`,
  decisionBoundary: "Decision boundary",
  classN: (c) => `class ${c}`,
  lossPerEpoch: "Loss per epoch",
  accuracyPerEpoch: "Accuracy per epoch",
  epoch: "epoch",
  lossAxis: "loss C",
  accuracy: "accuracy",
  minibatchLoss: "minibatch loss",
  training: (metric) => `training ${metric}`,
  validation: (metric) => `validation ${metric}`,
  metric: (metric) => metric,
  imagesPredicted: "Images: label → prediction",
  imagesLabelled: "Images and their labels",
  layerN: (n) => `layer ${n}`,
  layer: "layer",
  shareOfValues: "share of values",
  trainingStep: "training step",
  step: "step",
  meanActivation: "mean activation",
  stdActivation: "std of activations",
  shareSaturated: "share of saturated units",
  shareDead: "share of dead units",
  updateRatio: "update-to-data ratio ‖ΔW‖/‖W‖",
  perLayerOverTraining: (q) => `${q} per layer over training`,
  perHiddenLayerOverTraining: (q) => `${q} per hidden layer over training`,
  perLayerLogColour: (q) => `${q} per layer over training (log colour scale)`,
};

const ko: Messages = {
  exercise: (id) => `연습 문제 ${id}`,
  points: (n) => `${n}점`,
  correctValue: (got) => `정답입니다: ${got}.`,
  correctOnAll: (n) => `시험 입력 ${n}개 모두에서 정답입니다.`,
  forInput: (input) => `입력 ${input} 에 대해 `,
  expectedButGot: (tried, expected, got) =>
    `${tried}${expected} 이(가) 나와야 하는데 ${got} 이(가) 나왔습니다.`,
  hint: "힌트:",
  notAFunction: (got) =>
    `함수가 와야 하는데 ${got} 이(가) 왔습니다. 연습 문제 셀에서 함수를 정의하고 그 셀을 먼저 실행하세요.`,
  threw: (input, error) => `${input} 로 호출하자 오류가 났습니다: ${error}`,
  itThrew: (error) => `오류가 났습니다: ${error}`,
  notImplemented: (id) =>
    `연습 문제 ${id} 는 아직 작성되지 않았습니다: 이 오류를 던지는 줄을 여러분의 코드로 바꾼 뒤 셀을 다시 실행하세요.`,
  forgotReturn: "undefined (함수가 값을 return 하지 않았나요?)",
  yourCodeHere: (reference) =>
    `여기에 코드를 작성하세요. (참고 답안은 ${reference} 에 있으니, 끝낸 뒤에 비교해 보세요.)`,
  saturated: "포화",
  preActivation: "사전 활성화 z",
  value: "값",
  activationTitle: (name, threshold) => `${name}(z)와 그 도함수; 음영: |${name}′(z)| < ${threshold}`,
  decisionBoundary: "결정 경계",
  classN: (c) => `클래스 ${c}`,
  lossPerEpoch: "에포크별 손실",
  accuracyPerEpoch: "에포크별 정확도",
  epoch: "에포크",
  lossAxis: "손실 C",
  accuracy: "정확도",
  minibatchLoss: "미니배치 손실",
  training: (metric) => `학습 ${metric}`,
  validation: (metric) => `검증 ${metric}`,
  metric: (metric) => (metric === "loss" ? "손실" : "정확도"),
  imagesPredicted: "이미지: 레이블 → 예측",
  imagesLabelled: "이미지와 레이블",
  layerN: (n) => `층 ${n}`,
  layer: "층",
  shareOfValues: "값의 비율",
  trainingStep: "학습 걸음",
  step: "걸음",
  meanActivation: "활성화 평균",
  stdActivation: "활성화 표준 편차",
  shareSaturated: "포화된 유닛의 비율",
  shareDead: "죽은 유닛의 비율",
  updateRatio: "갱신 대 데이터 비율 ‖ΔW‖/‖W‖",
  perLayerOverTraining: (q) => `학습 중 층별 ${q}`,
  perHiddenLayerOverTraining: (q) => `학습 중 은닉층별 ${q}`,
  perLayerLogColour: (q) => `학습 중 층별 ${q} (로그 색상 눈금)`,
};

const TABLE: { [L in Language]: Messages } = { en, ko };

let current: Language = "en";

/**
 * Sets the language of the text kernel-lib shows from now on (exercise feedback, default figure
 * titles and axis labels) in this kernel. Returns the previous language.
 */
export function setLanguage(language: Language): Language {
  if (!LANGUAGES.includes(language)) {
    throw new Error(
      `setLanguage: the language must be one of ${LANGUAGES.map((l) => `"${l}"`).join(", ")}; got ${JSON.stringify(language)}.`,
    );
  }
  const previous = current;
  current = language;
  return previous;
}

/** The language kernel-lib's text is shown in: "en" unless `setLanguage` changed it. */
export function getLanguage(): Language {
  return current;
}

/** The messages of the current language. */
export function messages(): Messages {
  return TABLE[current];
}

/**
 * The messages of `language`, whatever the current language (tools that read a notebook's output use this).
 */
export function messagesIn(language: Language): Messages {
  return TABLE[language];
}

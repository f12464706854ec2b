/**
 * `plot`: pure figure builders that return plotly specifications (`Figure = { data, layout, config }`)
 * in one shared theme. Builders do no I/O, so their output can be inspected, tested, changed and
 * shown later; putting a figure in the notebook is display's job: `show(plot.gradientFlow(history))`.
 */

export type { Figure, Trace, Layout, Config, MatrixLike, Series } from "./types";
export * as theme from "./theme";
export { activation } from "./activation";
export type { ActivationLike, ActivationPlotOptions } from "./activation";
export { curves, history } from "./curves";
export type { CurvesOptions, HistoryPlotOptions } from "./curves";
export { layerBars, layerHeatmap, gradientFlow, layerSeries } from "./layers";
export type { LayerQuantity, LayerBarsOptions, LayerHeatmapOptions, GradientFlowOptions } from "./layers";
export { layerHistograms } from "./histograms";
export type { LayerHistogramsOptions } from "./histograms";
export { decisionBoundary } from "./boundary";
export type { Prediction, DecisionBoundaryOptions } from "./boundary";
export { digits } from "./digits";
export type { DigitsOptions } from "./digits";
export { slider } from "./slider";
export type { SliderState, SliderOptions } from "./slider";
export { graph, graphDot, graphSvg } from "./graph";
export type { GraphOptions } from "./graph";

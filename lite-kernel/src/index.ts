/**
 * The JupyterLite plugin: registers the TypeScript kernel under the desktop kernel's name, `tslab`,
 * so the lessons open with their own kernelspec and no kernel-choice dialog.
 */
import { IKernelSpecs } from "@jupyterlite/services";
import { TypeScriptKernel } from "./kernel";

/** The plugin; `baseUrl` is the folder this extension's files are served from, `workerName` the worker's file there. */
export function kernelPlugin(baseUrl: string, workerName: string) {
  return {
    id: "@gradient-lab/lite-kernel:kernel",
    description: "A TypeScript kernel that runs in a Web Worker, with kernel-lib built in.",
    autoStart: true,
    requires: [IKernelSpecs],
    activate: (_app: unknown, kernelSpecs: IKernelSpecs) => {
      kernelSpecs.register({
        spec: {
          name: "tslab",
          display_name: "TypeScript",
          language: "typescript",
          argv: [],
          resources: { "logo-32x32": "", "logo-64x64": "" },
        },
        create: async (options) => new TypeScriptKernel(options, new URL(workerName, baseUrl).href),
      });
    },
  };
}

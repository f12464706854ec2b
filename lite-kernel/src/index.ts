/**
 * The JupyterLite plugin: registers the TypeScript kernel under the desktop kernel's name, `tslab`,
 * so the lessons open with their own kernelspec and no kernel-choice dialog. JupyterLite's own
 * Interrupt only cancels the cells still queued; the plugin also passes it on to our kernel, which
 * stops the running cell.
 */
import { IKernelClient, IKernelSpecs } from "@jupyterlite/services";
import { TypeScriptKernel } from "./kernel";

/**
 * The plugin; `baseUrl` is the folder this extension's files are served from, `workerName` the worker's file
 * there.
 */
export function kernelPlugin(baseUrl: string, workerName: string) {
  return {
    id: "@gradient-lab/lite-kernel:kernel",
    description: "A TypeScript kernel that runs in a Web Worker, with kernel-lib built in.",
    autoStart: true,
    requires: [IKernelSpecs],
    optional: [IKernelClient],
    activate: (_app: unknown, kernelSpecs: IKernelSpecs, kernelClient: IKernelClient | null) => {
      const kernels = new Map<string, TypeScriptKernel>();
      if (kernelClient) {
        const cancelQueued = kernelClient.interrupt.bind(kernelClient);
        kernelClient.interrupt = async (id: string) => {
          kernels.get(id)?.interrupt();
          return cancelQueued(id);
        };
      }
      kernelSpecs.register({
        spec: {
          name: "tslab",
          display_name: "TypeScript",
          language: "typescript",
          argv: [],
          resources: { "logo-32x32": "", "logo-64x64": "" },
        },
        create: async (options) => {
          const kernel = new TypeScriptKernel(options, new URL(workerName, baseUrl).href);
          kernels.set(kernel.id, kernel);
          kernel.disposed.connect(() => kernels.delete(kernel.id));
          return kernel;
        },
      });
    },
  };
}

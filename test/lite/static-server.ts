/**
 * A static file server on 127.0.0.1 (a free port) for the browser tests: serves a folder the way
 * any static host does, with no special headers, and counts the bytes it sends.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".ipynb": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

/** A running server: its base URL (ending in "/"), bytes sent so far, and how to stop it. */
export interface StaticServer {
  /** The folder served. */
  root: string;
  url: string;
  bytesSent(): number;
  /** Every file sent so far, in order (a file sent twice appears twice). */
  filesSent(): string[];
  close(): Promise<void>;
}

/**
 * Serves `root` on 127.0.0.1 (folders answer with their index.html); with `isolated`, every response carries
 * the headers that make the page cross-origin isolated (`Cross-Origin-Opener-Policy` and `-Embedder-Policy`),
 * as a host configured for it would.
 */
export function serveFolder(root: string, isolated = false): Promise<StaticServer> {
  let sent = 0;
  const files: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(path.resolve(root))) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = fs.readFileSync(file);
    sent += body.length;
    files.push(file);
    const isolation = isolated
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    res.writeHead(200, {
      "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "Content-Length": body.length,
      ...isolation,
    });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        root,
        url: `http://127.0.0.1:${port}/`,
        bytesSent: () => sent,
        filesSent: () => [...files],
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

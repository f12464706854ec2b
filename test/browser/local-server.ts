/**
 * A static file server for browser tests on 127.0.0.1 with a free port: serves a fixed map of URL
 * paths to files or text, answers everything else with 404, and records every request path.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** What a path serves: a file on disk, or text made in the test. */
export type Served = { file: string } | { text: string };

const TYPES: { [ext: string]: string } = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".bin": "application/octet-stream",
};

/** A running server: its origin (http://127.0.0.1:port) and close(). */
export interface LocalServer {
  origin: string;
  close(): Promise<void>;
}

/** Starts a server for `routes` (URL path → content), e.g. { "/": { text: "<!doctype html>…" } }. */
export function serve(routes: { [urlPath: string]: Served }): Promise<LocalServer> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const route = routes[urlPath];
    if (route === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${urlPath}`);
      return;
    }
    const file = "file" in route ? route.file : urlPath === "/" ? "index.html" : urlPath;
    const body = "file" in route ? fs.readFileSync(route.file) : route.text;
    res
      .writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      })
      .end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

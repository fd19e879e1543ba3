// A tiny HTTP server for the self-test: the fixtures in ./fixtures, plus /cookie, a page
// whose heading depends on a cookie (so the no-JS check must carry the cookies over).
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { AddressInfo } from "node:net";

const FIXTURES = path.join(__dirname, "fixtures");

export async function startSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/cookie") {
      const who = /(?:^|;\s*)who=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
      const h1 = who ? `Hei, ${decodeURIComponent(who)}` : "Logg inn";
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Cookie</title></head>` +
          `<body><main><h1>${h1}</h1></main></body></html>`,
      );
      return;
    }
    const name = path.basename(url.pathname === "/" ? "good.html" : url.pathname);
    try {
      const body = await readFile(path.join(FIXTURES, name));
      const type = name.endsWith(".css") ? "text/css" : "text/html; charset=utf-8";
      res.writeHead(200, { "content-type": type });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

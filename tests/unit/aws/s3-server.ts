/**
 * A local HTTP server standing in for S3 in the S3 object client's tests: it keeps every request
 * exactly as it arrived (method, path and query, raw headers, body) and answers each with what the
 * test's `reply` says, hangs up on it, or never answers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CapturedRequest {
  method: string;
  /** The request target as sent: the path (encoded) and the query. */
  url: string;
  /** Header names and values as sent, alternating (node's rawHeaders). */
  rawHeaders: string[];
  body: Buffer;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Closes the connection without an answer. */
  | "hang-up"
  /** Keeps the connection open and never answers. */
  | "silent";

export interface LocalS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/** The values of header `name` (any case) in the order sent. */
export function headerValues(request: CapturedRequest, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i]?.toLowerCase() === name) out.push(request.rawHeaders[i + 1] ?? "");
  }
  return out;
}

export function header(request: CapturedRequest, name: string): string | undefined {
  return headerValues(request, name)[0];
}

/** Starts the server; `reply` is given each request and its 1-based number. */
export async function startLocalS3(reply: (request: CapturedRequest, n: number) => Reply): Promise<LocalS3> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const captured: CapturedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        rawHeaders: [...req.rawHeaders],
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      const answer = reply(captured, requests.length);
      if (answer === "hang-up") {
        req.socket.destroy();
        return;
      }
      if (answer === "silent") return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** S3's XML error body. */
export function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`;
}

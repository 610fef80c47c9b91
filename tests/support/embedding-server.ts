import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible embeddings service for tests: `POST /v1/embeddings` with
 * `{model, input}` answers one vector per input, made from the input's character bigrams hashed
 * into `dimensions` signed buckets and normalised to length 1. Deterministic, and texts that
 * share bigrams get similar vectors (魔芋软腐病 ~ 磨芋软腐病), which is all a test of the plumbing
 * needs; no model, no network. It can be stopped and started again on the same port to play an
 * outage, and it counts what it was asked.
 */
export interface EmbeddingServer {
  url: string;
  model: string;
  dimensions: number;
  /** inputs embedded so far, in order */
  readonly inputs: string[];
  /** requests answered so far */
  readonly requests: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The vector of one text (exported so tests can compare without the server). */
export function bigramVector(text: string, dimensions: number): number[] {
  const chars = [...text.replace(/[\s\p{P}]+/gu, "")];
  const grams = chars.length < 2 ? chars : chars.slice(1).map((c, i) => chars[i] + c);
  const v = new Array<number>(dimensions).fill(0);
  for (const g of grams) {
    const h = fnv1a(g);
    v[h % dimensions]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export async function startEmbeddingServer(opts: { dimensions?: number; model?: string; apiKey?: string } = {}): Promise<EmbeddingServer> {
  const dimensions = opts.dimensions ?? 64;
  const model = opts.model ?? "bigram-test";
  const state = { inputs: [] as string[], requests: 0 };
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/v1/embeddings") return answer(404, { error: { message: "not found" } });
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return answer(401, { error: { message: "bad api key" } });
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      let body: { model?: unknown; input?: unknown };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        return answer(400, { error: { message: "invalid JSON" } });
      }
      const input = typeof body.input === "string" ? [body.input] : body.input;
      if (body.model !== model) return answer(404, { error: { message: `model ${String(body.model)} not found` } });
      if (!Array.isArray(input) || !input.every((x) => typeof x === "string"))
        return answer(400, { error: { message: "input must be strings" } });
      state.requests++;
      state.inputs.push(...(input as string[]));
      answer(200, {
        object: "list",
        model,
        data: (input as string[]).map((t, index) => ({ object: "embedding", index, embedding: bigramVector(t, dimensions) })),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    model,
    dimensions,
    get inputs() {
      return state.inputs;
    },
    get requests() {
      return state.requests;
    },
    async stop() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      if (!server.listening) await listen(port);
    },
  };
}

import { createElement as h } from "react";
import { renderToPipeableStream, renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { stripTrailingNuls } from "~/entry.server.tsx";

/** Renders a long Chinese list through the same stream the server uses. */
async function streamed(pad: number): Promise<Buffer> {
  const tree = h(
    "ul",
    null,
    Array.from({ length: 300 }, (_, i) => h("li", { key: i }, "x".repeat(pad) + "西畴县科技成果转移转化交易平台" + i)),
  );
  const body = stripTrailingNuls();
  const chunks: Buffer[] = [];
  body.on("data", (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => {
    const { pipe } = renderToPipeableStream(tree, { onAllReady: () => pipe(body) });
    body.on("end", () => resolve());
  });
  return Buffer.concat(chunks);
}

describe("server-rendered Chinese pages", () => {
  it("never contain stray NUL bytes, whatever falls on React's 2 KB buffer boundary", async () => {
    for (let pad = 0; pad < 24; pad++) {
      const html = await streamed(pad);
      expect(html.includes(0)).toBe(false);
      const tree = h(
        "ul",
        null,
        Array.from({ length: 300 }, (_, i) => h("li", { key: i }, "x".repeat(pad) + "西畴县科技成果转移转化交易平台" + i)),
      );
      expect(html.toString("utf8")).toBe(renderToString(tree));
    }
  });
});

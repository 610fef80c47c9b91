import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/utils/env.server.ts";
import { EMBEDDING_TEXT_MAX, embeddingsEndpoint, listingText } from "../../search/embeddings.ts";
import { bigramVector } from "../support/embedding-server.ts";

/** The optional semantic layer's configuration and texts (docs/decisions/032-optional-embeddings.md). */

const problems = (source: Record<string, string>) => {
  try {
    parseEnv(source);
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as Error).message;
  }
};

describe("EMBEDDINGS_* variables", () => {
  it("are all optional: unset, there is no semantic layer", () => {
    const e = parseEnv({});
    expect(e.EMBEDDINGS_URL).toBeUndefined();
    expect(e.EMBEDDINGS_MODEL).toBeUndefined();
  });

  it("read a URL, a model, a key and the dimensions", () => {
    const e = parseEnv({
      EMBEDDINGS_URL: "http://10.0.0.5:8080",
      EMBEDDINGS_MODEL: "bge-small-zh-v1.5",
      EMBEDDINGS_API_KEY: "sk-x",
      EMBEDDINGS_DIMENSIONS: "512",
    });
    expect(e).toMatchObject({ EMBEDDINGS_URL: "http://10.0.0.5:8080", EMBEDDINGS_MODEL: "bge-small-zh-v1.5", EMBEDDINGS_DIMENSIONS: 512 });
  });

  it("name what is wrong in words an operator can act on", () => {
    expect(problems({ EMBEDDINGS_URL: "the model server", EMBEDDINGS_MODEL: "m" })).toMatch(
      /EMBEDDINGS_URL must be a URL such as http:\/\/127\.0\.0\.1:8080/,
    );
    expect(problems({ EMBEDDINGS_URL: "localhost:8080", EMBEDDINGS_MODEL: "m" })).toMatch(
      /EMBEDDINGS_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(problems({ EMBEDDINGS_URL: "ftp://h/x", EMBEDDINGS_MODEL: "m" })).toMatch(
      /EMBEDDINGS_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(problems({ EMBEDDINGS_URL: "http://h:8080" })).toMatch(/EMBEDDINGS_MODEL is required when EMBEDDINGS_URL is set/);
    expect(problems({ EMBEDDINGS_MODEL: "m" })).toMatch(/EMBEDDINGS_MODEL is set but EMBEDDINGS_URL is not/);
    expect(problems({ EMBEDDINGS_URL: "http://h", EMBEDDINGS_MODEL: "m", EMBEDDINGS_DIMENSIONS: "768.5" })).toMatch(
      /EMBEDDINGS_DIMENSIONS must be a whole number/,
    );
    expect(problems({ EMBEDDINGS_URL: "http://h", EMBEDDINGS_MODEL: "m", EMBEDDINGS_DIMENSIONS: "many" })).toMatch(/EMBEDDINGS_DIMENSIONS/);
  });

  it("accept the service's base, its /v1 or its /v1/embeddings", () => {
    expect(embeddingsEndpoint("http://h:8080")).toBe("http://h:8080/v1/embeddings");
    expect(embeddingsEndpoint("http://h:8080/")).toBe("http://h:8080/v1/embeddings");
    expect(embeddingsEndpoint("https://api.example.cn/v1")).toBe("https://api.example.cn/v1/embeddings");
    expect(embeddingsEndpoint("http://h/v1/embeddings")).toBe("http://h/v1/embeddings");
  });
});

describe("a listing's text", () => {
  it("is its title, keywords, summary and the start of its description, bounded", () => {
    expect(listingText({ title: "魔芋软腐病防控", keywords: ["魔芋", "软腐病"], summary: "种芋处理", description: "说明\n第二行" })).toBe(
      "魔芋软腐病防控。魔芋，软腐病。种芋处理。说明 第二行",
    );
    expect(listingText({ title: "标题", description: "长".repeat(2000) }).length).toBeLessThanOrEqual(EMBEDDING_TEXT_MAX);
  });

  it("gets a test vector close to a text that shares its bigrams, far from one that does not", () => {
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const a = bigramVector("猕猴桃溃疡病综合防治", 64);
    expect(cos(a, bigramVector("弥猴桃疡病", 64))).toBeGreaterThan(cos(a, bigramVector("三七根腐病菌剂", 64)));
  });
});

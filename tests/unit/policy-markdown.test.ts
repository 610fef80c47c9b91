import { describe, expect, it } from "vitest";
import { PolicyFormSchema } from "~/schemas/policies.ts";
import { markdownExcerpt, renderPolicyMarkdown } from "~/services/policies/markdown.server.ts";
import { isDocNumber, normalizeDocNumber } from "~/utils/policies.ts";

/** Issue 15, point 8: a policy's Markdown reaches the page only as safe HTML; document numbers are checked loosely. */
describe("policy Markdown", () => {
  it("shows a script tag as text, never as a script", () => {
    const html = renderPolicyMarkdown("通知\n\n<script>alert('x')</script>\n\n正文");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(");
  });

  it("shows an image with onerror as text", () => {
    const html = renderPolicyMarkdown('<img src=x onerror="alert(1)">');
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&lt;img src=x onerror=");
  });

  it("drops javascript:, data: and vbscript: links and images, keeping their words", () => {
    for (const src of [
      "[点我](javascript:alert(1))",
      "[点我](JaVaScRiPt:alert(1))",
      "[点我](  javascript:alert(1))",
      "[点我](data:text/html;base64,PHNjcmlwdD4=)",
      "[点我](vbscript:msgbox(1))",
      "[点我](//evil.example/x)",
    ]) {
      const html = renderPolicyMarkdown(src);
      expect(html, src).not.toMatch(/<a /);
      expect(html, src).toContain("点我");
    }
    expect(renderPolicyMarkdown("![图](javascript:alert(1))")).not.toMatch(/<img/);
    expect(renderPolicyMarkdown("![图](data:image/png;base64,iVBORw0KGgo=)")).not.toMatch(/<img/);
  });

  it("keeps http(s), mailto and site links; outside links open apart without the referrer", () => {
    const html = renderPolicyMarkdown(
      "[科技部](https://www.most.gov.cn/) · [来信](mailto:kjj@example.cn) · [全文](/policies/abc) · 见 https://www.gov.cn/zhengce/",
    );
    expect(html).toContain('<a href="https://www.most.gov.cn/" rel="noopener noreferrer nofollow" target="_blank">科技部</a>');
    expect(html).toContain('<a href="mailto:kjj@example.cn">来信</a>');
    expect(html).toContain('<a href="/policies/abc">全文</a>');
    // linkify: a bare address becomes a link too
    expect(html).toContain('<a href="https://www.gov.cn/zhengce/" rel="noopener noreferrer nofollow" target="_blank">');
  });

  it("renders headings, lists and tables", () => {
    const html = renderPolicyMarkdown("## 要点\n\n- 一\n- 二\n\n| a | b |\n| - | - |\n| 1 | 2 |\n");
    expect(html).toContain("<h2>要点</h2>");
    expect(html).toContain("<li>一</li>");
    expect(html).toContain("<table>");
  });

  it("makes a plain excerpt for lists", () => {
    expect(markdownExcerpt("## 标题\n\n**加粗**的[链接](https://x.cn)文字", 50)).toBe("标题 加粗的链接文字");
    expect(markdownExcerpt("一".repeat(200), 10)).toBe(`${"一".repeat(10)}…`);
  });
});

describe("document numbers (发文字号)", () => {
  it("accepts issuer〔year〕number号 and numbered orders, tidying brackets and spaces", () => {
    expect(normalizeDocNumber("西政办发[2019]114号")).toBe("西政办发〔2019〕114号");
    expect(normalizeDocNumber("国发（2016） 16号")).toBe("国发〔2016〕16号");
    expect(normalizeDocNumber("国发【２０１６】１６号")).toBe("国发〔2016〕16号");
    for (const ok of ["西政办发〔2019〕114号", "国发〔2016〕16号", "中华人民共和国主席令第三十二号", "财政部税务总局公告2023年第7号"])
      expect(isDocNumber(ok), ok).toBe(true);
    for (const bad of [
      "114号",
      "西政办发2019114号",
      "西政办发〔19〕114号",
      "西政办发〔2019〕号",
      "<script>〔2019〕1号",
      "西政办发〔2019〕114",
    ])
      expect(isDocNumber(normalizeDocNumber(bad)), bad).toBe(false);
  });

  it("the form names each bad field", () => {
    const r = PolicyFormSchema.safeParse({
      kind: "law",
      title: " ",
      docNumber: "第114",
      issuer: "",
      issuedOn: "2026-02-30",
      body: "",
    });
    expect(r.success).toBe(false);
    const fields = Object.fromEntries(r.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(fields).toMatchObject({
      kind: "policies.errors.kind",
      title: "policies.errors.titleRequired",
      docNumber: "policies.errors.docNumber",
      issuer: "policies.errors.issuerRequired",
      issuedOn: "policies.errors.date",
      body: "policies.errors.bodyRequired",
    });
    const later = PolicyFormSchema.safeParse({
      kind: "notice",
      title: "t",
      issuer: "i",
      body: "b",
      issuedOn: "2026-03-02",
      effectiveOn: "2026-03-01",
    });
    expect(later.error?.issues[0]).toMatchObject({ path: ["effectiveOn"], message: "policies.errors.effectiveBeforeIssued" });
    const ok = PolicyFormSchema.parse({ kind: "notice", title: "t", docNumber: "", issuer: "i", body: "b", issuedOn: "", summary: "" });
    expect(ok).toEqual({ kind: "notice", title: "t", issuer: "i", body: "b" });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import * as editPage from "~/routes/achievements.$id_.edit.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { achievementContent, pdfBytes } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * The evidence upload on an item's edit page (issue 13, point 17): after an upload the page shows
 * the last result only — a success and an error never together.
 */

const pages = pageRequests({ orgType: "university", context: {} });
let seller: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await pages.person("uploader@wsu.cn", ["seller"], "文山学院");
});

const render = (request: Request) => renderPage(request, editPage, "/achievements/:id/edit", pages.csrf.token);

describe("the upload's notice", () => {
  it("shows the success after an upload, and only the error after a refused upload that follows it", async () => {
    const id = await createAchievement(seller, achievementContent({ title: "三七种苗脱毒快繁技术" }));
    const path = `/achievements/${id}/edit`;
    const ok = await render(
      pages.upload(
        path,
        seller,
        { name: "report.pdf", bytes: pdfBytes(), type: "application/pdf" },
        { intent: "upload", kind: "test-report" },
      ),
    );
    expect(ok.location).toBe(`${path}?notice=attachmentAdded#attachments`);
    const after = await render(pages.get(`${path}?notice=attachmentAdded`, seller));
    expect(after.html).toContain("材料已上传。");

    // The next upload posts to the same address (the form keeps the query) and is refused.
    const bad = await render(
      pages.upload(
        `${path}?notice=attachmentAdded`,
        seller,
        { name: "notes.txt", bytes: new TextEncoder().encode("plain text"), type: "text/plain" },
        { intent: "upload", kind: "test-report" },
      ),
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("“notes.txt”无法上传");
    expect(bad.html).not.toContain("材料已上传。");
  });
});

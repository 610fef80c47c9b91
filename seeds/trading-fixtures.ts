import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import type { AuctionInput } from "~/services/trading/auctions/create.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import type { BuyNowInput } from "~/schemas/offers.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { confirmBuyRequest, requestBuyNow } from "~/services/trading/buy-requests/commands.server.ts";
import type { OrganizationType } from "~/utils/organization.ts";
import type { Role } from "~/utils/permissions.ts";
import { upsertOrganization, upsertUser } from "./factories.ts";

/**
 * People and listings for the trading tests and benchmarks (bench/bids.ts, bench/chat.ts): real accounts and organisations (seed factories) and
 * achievements taken through the real workflow to `trading`.
 */
export async function person(
  email: string,
  roles: Role[],
  org: string | null,
  type: OrganizationType = "enterprise",
): Promise<SessionUser> {
  const organization = org ? await upsertOrganization({ name: org, type, region: "532623" }) : null;
  const doc = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization });
  return (await getSessionUserById(String(doc._id)))!;
}

export const achievementContent = (over: Partial<AchievementDataInput> = {}): AchievementDataInput => ({
  // A topic no e2e search looks for (the e2e tests share one database with the search tests).
  title: "高山茶园轻简化机械采摘技术",
  summary: "适合 25° 以下坡地茶园的轻型采茶机与配套修剪方案，采摘效率提高 6 倍",
  description: "针对山区茶园人工采摘成本高的问题，集成轻型采茶机、树冠修剪和采后分级技术。",
  field: "advanced-manufacturing",
  keywords: ["茶园", "采茶机"],
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.X"],
  trl: 7,
  transactionModes: ["transfer", "license"],
  licenseExclusivity: ["exclusive", "non-exclusive"],
  price: { mode: "auction", amount: 20_000_000 },
  region: "532623",
  ...over,
});

/** An achievement of `owner`'s organisation at a stage of the workflow, past its notice period. */
export async function listingAt(
  owner: SessionUser,
  broker: SessionUser,
  stage: "draft" | "published" | "trading",
  content: AchievementDataInput,
): Promise<string> {
  const id = await createAchievement(owner, content);
  if (stage === "draft") return id;
  const past = new Date(Date.now() - 20 * 86_400_000);
  await transitionListing(owner, "achievement", id, "submit", { now: past });
  await transitionListing(broker, "achievement", id, "approve", { now: past });
  if (stage === "trading") await transitionListing(owner, "achievement", id, "startTrading");
  return id;
}

/** An achievement of `owner`'s organisation, published by `broker` and trading (notice period over). */
export function tradingAchievement(owner: SessionUser, broker: SessionUser, over: Partial<AchievementDataInput> = {}): Promise<string> {
  return listingAt(owner, broker, "trading", achievementContent(over));
}

/** An achievement of `owner`'s organisation, published by `broker` just now: in its 公示 (notice period). */
export async function inNoticeAchievement(
  owner: SessionUser,
  broker: SessionUser,
  over: Partial<AchievementDataInput> = {},
  now = new Date(),
): Promise<string> {
  const id = await createAchievement(owner, achievementContent(over));
  await transitionListing(owner, "achievement", id, "submit", { now });
  await transitionListing(broker, "achievement", id, "approve", { now });
  return id;
}

/** Auction settings for tests: ¥100,000 start, +¥1,000, ¥10,000 deposit, live for an hour. */
export function auctionInput(over: Partial<AuctionInput> = {}): AuctionInput {
  return {
    startPrice: 100_000_00,
    reservePrice: null,
    increments: [{ from: 0, increment: 1_000_00 }],
    deposit: 10_000_00,
    startsAt: null,
    endsAt: new Date(Date.now() + 3600_000),
    antiSnipeWindowSec: 300,
    antiSnipeCapSec: 1800,
    transactionMode: "transfer",
    licenseExclusivity: null,
    ...over,
  };
}

/** A published demand of `owner`'s organisation (reviewed by `broker`). */
export async function publishedDemand(owner: SessionUser, broker: SessionUser, over: Partial<DemandDataInput> = {}): Promise<string> {
  const id = await createDemand(owner, {
    title: "三七地块连作烂根，求土壤修复办法",
    description: "合作社的三七地连作三年后烂根严重，希望找到可推广的土壤修复技术。",
    field: "plateau-agriculture",
    keywords: ["三七", "连作障碍"],
    transactionModes: ["license", "transfer"],
    region: "532623",
    ...over,
  });
  await transitionListing(owner, "demand", id, "submit");
  await transitionListing(broker, "demand", id, "approve");
  return id;
}

/** Bytes that pass the upload checks (type by magic bytes): a minimal PDF, a PNG header. */
export function pdfBytes(text = "confidential report"): Uint8Array {
  return new Uint8Array(
    Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% ${text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, "latin1"),
  );
}
export function pngBytes(): Uint8Array {
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
  ]);
}

/**
 * Buy-now as the tests before decision 023 knew it: the buyer asks to buy at the price and the
 * listing's author confirms at once (issue 14, point 8). Returns the deal's id; a refusal of the
 * request or of the confirmation is thrown as it is.
 */
export async function buyNowDeal(buyer: SessionUser, listingId: string, input: BuyNowInput): Promise<string> {
  const { requestId } = await requestBuyNow(buyer, listingId, { ...input, way: "confirm" });
  const listing = await Achievement.findById(listingId, { createdBy: 1 }).lean();
  const seller = await getSessionUserById(String(listing!.createdBy));
  return confirmBuyRequest(seller!, requestId);
}

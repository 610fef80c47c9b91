import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { SYSTEM_ACTOR, type Actor } from "~/services/kernel/actor.ts";
import { canView, canViewViaApi, relationsOf, seesAll } from "~/services/listings/access.ts";
import { listingsAttachmentsSweepJob, listingsExpireJob } from "~/services/listings/jobs.server.ts";
import { JOBS } from "../../server/jobs/index.ts";
import type { Role } from "~/utils/permissions.ts";

/**
 * The listings module's one visibility rule, as pages (getListing, attachments, matching) and the
 * API (export, matching) ask it, and the module's periodic work as declared.
 */

const org = new Types.ObjectId();
const creator = new Types.ObjectId();
const person = (roles: Role[], extra: Partial<Actor> = {}): Actor => ({
  id: String(new Types.ObjectId()),
  name: "某人",
  roles,
  organization: null,
  ...extra,
});
const owner = person(["seller"], { organization: { id: String(org), name: "文山学院" } });
const creatorActor = person(["seller"], { id: String(creator) });
const broker = person(["broker"]);
const bureau = person(["bureau"]);
const buyer = person(["buyer"]);
const item = (status: string) => ({ status, createdBy: creator, owner: org });

describe("relationsOf", () => {
  it("knows the owner (by organisation or as creator), reviewers, the bureau and the system; a broker who owns is only the owner", () => {
    expect([...relationsOf(owner, item("draft"))]).toEqual(["owner"]);
    expect([...relationsOf(creatorActor, item("draft"))]).toEqual(["owner"]);
    expect([...relationsOf(broker, item("draft"))]).toEqual(["reviewer"]);
    expect([...relationsOf(bureau, item("draft"))]).toEqual(["bureau"]);
    expect([...relationsOf(SYSTEM_ACTOR, item("draft"))]).toEqual(["system"]);
    expect([...relationsOf(buyer, item("draft"))]).toEqual([]);
    expect([...relationsOf(null, item("draft"))]).toEqual([]);
    const brokerOwner = person(["broker", "seller"], { organization: { id: String(org) } });
    expect([...relationsOf(brokerOwner, item("submitted"))]).toEqual(["owner"]);
  });
});

describe("canView (pages)", () => {
  it("shows a public item to everyone, a non-public one only to those related to it", () => {
    for (const status of ["published", "trading", "deal"]) {
      expect(canView(null, item(status)), status).toBe(true);
      expect(canView(buyer, item(status)), status).toBe(true);
    }
    for (const status of ["draft", "submitted", "rejected", "withdrawn"]) {
      expect(canView(null, item(status)), status).toBe(false);
      expect(canView(buyer, item(status)), status).toBe(false);
      expect(canView(owner, item(status)), status).toBe(true);
      expect(canView(broker, item(status)), status).toBe(true);
      expect(canView(bureau, item(status)), status).toBe(true);
      expect(canView(SYSTEM_ACTOR, item(status)), status).toBe(true);
    }
  });
});

describe("canViewViaApi (tokens)", () => {
  const token = (roles: Role[], actor: Actor = person(roles)) => ({ roles, actor });
  it("shows public items to any token, others to admin and broker tokens and to the owner's personal token", () => {
    expect(canViewViaApi(token(["buyer"]), item("published"))).toBe(true);
    expect(canViewViaApi(token(["buyer"]), item("draft"))).toBe(false);
    expect(canViewViaApi(token(["admin"]), item("draft"))).toBe(true);
    expect(canViewViaApi(token(["broker"]), item("draft"))).toBe(true);
    expect(canViewViaApi(token(["seller"], owner), item("draft"))).toBe(true);
    // The bureau sees it on a page, but a bureau token does not read drafts.
    expect(canViewViaApi(token(["bureau"]), item("draft"))).toBe(false);
    // A role-only token has no person behind it: never an owner.
    expect(canViewViaApi(token(["seller"], { ...owner, id: null, organization: null }), item("draft"))).toBe(false);
    expect([seesAll({ roles: ["admin"] }), seesAll({ roles: ["broker"] }), seesAll({ roles: ["seller", "buyer"] })]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe("the listings' jobs", () => {
  it("expire overdue items and sweep orphaned attachment files every ten minutes, and the runner schedules both", () => {
    expect(listingsExpireJob).toMatchObject({ name: "listings.expire", everyMs: 10 * 60_000 });
    expect(listingsAttachmentsSweepJob).toMatchObject({ name: "listings.attachments.sweep", everyMs: 10 * 60_000 });
    expect(JOBS).toContain(listingsExpireJob);
    expect(JOBS).toContain(listingsAttachmentsSweepJob);
  });
});

import type { ClientSession } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import {
  ContractDraftSchema,
  DistributionSchema,
  EDITABLE_CLAUSES,
  type ContractCategory,
  type ContractDraftInput,
  type ContractSide,
  type DistributionShare,
} from "~/schemas/contract.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { oid } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { transitionListingInSession } from "../listings/workflow.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { createSchedule } from "../settlement/schedule.server.ts";
import { sellerSideUsers } from "../trading/deals/open.server.ts";
import { canWrite, loadDealFor, partySideOf, type DealRow } from "./access.server.ts";
import {
  amountProblems,
  canonicalText,
  distributionProblems,
  isSubCategoryOf,
  needsDistribution,
  suggestCategory,
  templateClauses,
  textHash,
} from "./rules.ts";

/**
 * Drafting, editing and signing a deal's contract (issue 14). Each command runs in one
 * transaction with its audit entry; notifications are written in the same commit.
 */

interface Opts {
  via?: Via;
  now?: Date;
}

/** What the listing adds to a contract: patents, inventors, the owner's kind, who acts for it. */
export async function listingFacts(deal: DealRow, session: ClientSession | null = null) {
  const a = await Achievement.findById(deal.listing, { patentNumbers: 1, ipType: 1, ownerType: 1, inventors: 1, owner: 1, createdBy: 1 })
    .session(session)
    .lean();
  if (!a) throw new NotFoundError();
  return {
    patentNumbers: (a.patentNumbers ?? []) as string[],
    hasPatents: (a.patentNumbers ?? []).length > 0,
    ownerType: a.ownerType as string,
    inventors: (a.inventors ?? []).map((i) => ({ name: i.name, share: i.share ?? null })),
    owner: a.owner,
    createdBy: a.createdBy ?? null,
  };
}

export interface ContractFields {
  category: ContractCategory;
  subCategory: string;
  paidInShares?: boolean;
  contractAmount: number;
  technologyAmount: number;
  nonTechItems: { label: string; amount: number }[];
  clauses: unknown;
}

export function textOf(deal: DealRow, c: ContractFields): string {
  const terms = normalizeTerms(deal.terms as Terms);
  return canonicalText({
    category: c.category as ContractCategory,
    subCategory: c.subCategory,
    paidInShares: !!c.paidInShares,
    listingTitle: deal.listingTitle,
    seller: { name: deal.seller.name, organizationName: deal.seller.organizationName ?? deal.seller.name },
    buyer: { name: deal.buyer.name, organizationName: deal.buyer.organizationName ?? null },
    contractAmount: c.contractAmount,
    technologyAmount: c.technologyAmount,
    nonTechItems: c.nonTechItems ?? [],
    milestones: terms.milestones,
    royaltyPercent: terms.royaltyPercent ?? null,
    clauses: (c.clauses ?? {}) as Record<string, string>,
  });
}

function pickFields(c: ContractFields): ContractFields {
  return {
    category: c.category,
    subCategory: c.subCategory,
    paidInShares: !!c.paidInShares,
    contractAmount: c.contractAmount,
    technologyAmount: c.technologyAmount,
    nonTechItems: (c.nonTechItems ?? []).map((i) => ({ label: i.label, amount: i.amount })),
    clauses: { ...((c.clauses ?? {}) as Record<string, string>) },
  };
}

/** The contract a deal would start with: the suggested category, the template, the price as 技术交易额. */
export function initialFields(deal: DealRow, facts: { hasPatents: boolean; patentNumbers: string[] }): ContractFields {
  const terms = normalizeTerms(deal.terms as Terms);
  const s = suggestCategory(terms, facts.hasPatents);
  return {
    category: s.category,
    subCategory: s.subCategory,
    paidInShares: s.paidInShares,
    contractAmount: terms.price,
    technologyAmount: terms.price,
    nonTechItems: [],
    clauses: templateClauses({ ...s, listingTitle: deal.listingTitle, patentNumbers: facts.patentNumbers, terms }),
  };
}

async function tellBothSides(
  session: ClientSession,
  deal: DealRow,
  type: "contract.signatureVoided" | "contract.signed",
  params: Record<string, string>,
  at: Date,
) {
  const facts = await listingFacts(deal, session);
  const users = new Set(await sellerSideUsers(facts.owner, facts.createdBy, session));
  if (deal.buyer.user) users.add(String(deal.buyer.user));
  const subject = { kind: "achievement" as const, id: deal.listing, title: deal.listingTitle };
  await notify(
    session,
    [...users].map((user) => ({ user, type, subject, link: `/deals/${String(deal._id)}/contract`, params })),
    { at },
  );
}

/**
 * Drafts the deal's contract (when there is none) and saves `input` as a new version. The
 * category may change; a free clause still holding the old template's text takes the new one's.
 * A change after a signature voids every signature and tells both sides. A signed contract is
 * frozen. Returns the current version number.
 */
export async function saveContract(actor: Actor, dealId: string, input: ContractDraftInput | null, opts: Opts = {}): Promise<number> {
  const now = opts.now ?? new Date();
  return withTransaction(async (session) => {
    const { deal, access } = await loadDealFor(actor, dealId, session);
    if (!canWrite(access)) throw new ForbiddenError("contracts.errors.readOnly");
    if (deal.status !== "open") throw new ConflictError("contracts.errors.dealClosed");
    const facts = await listingFacts(deal, session);
    const existing = await Contract.findOne({ deal: deal._id }).session(session);
    if (existing?.status === "signed") throw new ConflictError("contracts.errors.frozen");

    const start: ContractFields = existing ? pickFields(existing.toObject() as ContractFields) : initialFields(deal, facts);
    let next: ContractFields = { ...start, clauses: { ...(start.clauses as Record<string, string>) } };
    if (input) {
      const parsed = ContractDraftSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
      const v = parsed.data;
      if (!isSubCategoryOf(v.category, v.subCategory)) throw new ValidationError({ subCategory: ["contracts.errors.subCategory"] });
      const problems = amountProblems(v);
      if (Object.keys(problems).length) throw new ValidationError(problems);
      const terms = normalizeTerms(deal.terms as Terms);
      const templateOf = (c: ContractFields) =>
        templateClauses({
          category: c.category as ContractCategory,
          subCategory: c.subCategory,
          paidInShares: !!c.paidInShares,
          listingTitle: deal.listingTitle,
          patentNumbers: facts.patentNumbers,
          terms,
        });
      const paidInShares = v.category === "transfer" ? (terms.transactionMode === "equity" ? true : !!start.paidInShares) : false;
      const moved: ContractFields = { ...next, category: v.category, subCategory: v.subCategory, paidInShares };
      const before = templateOf(start);
      const after = templateOf(moved);
      const clauses: Record<string, string> = { ...(start.clauses as Record<string, string>) };
      for (const key of EDITABLE_CLAUSES) {
        if (v.clauses[key] !== undefined && v.clauses[key] !== before[key]) clauses[key] = v.clauses[key]!;
        else if (clauses[key] === before[key] || clauses[key] === undefined) clauses[key] = after[key];
      }
      next = {
        ...moved,
        contractAmount: v.contractAmount,
        technologyAmount: v.technologyAmount,
        nonTechItems: v.nonTechItems,
        clauses,
      };
    }
    const text = textOf(deal, next);
    const hash = textHash(text);
    const author = { user: actor.id ? oid(actor.id) : undefined, name: actor.name };

    if (!existing) {
      await Contract.create(
        [
          {
            deal: deal._id,
            listing: deal.listing,
            listingTitle: deal.listingTitle,
            ...next,
            versions: [{ number: 1, author, at: now, text, hash }],
          },
        ],
        { session },
      );
      await Deal.updateOne({ _id: deal._id }, { $set: { contractState: "draft" } }, { session });
      const created = await Contract.findOne({ deal: deal._id }, { _id: 1 }).session(session).lean();
      await recordAudit(session, {
        subjectType: "contract",
        subject: created!._id,
        action: "contract.draft",
        to: "draft",
        actor,
        via: opts.via ?? "ui",
        at: now,
      });
      return 1;
    }
    const current = existing.versions[existing.versions.length - 1]!;
    if (current.hash === hash) return current.number;
    const number = current.number + 1;
    const voided = existing.signatures.length > 0;
    const update: Record<string, unknown> = {
      $set: { ...next, signatures: [] },
      $push: {
        versions: { number, author, at: now, text, hash },
        ...(voided ? { voidedSignatures: { $each: existing.signatures.map((s) => ({ ...s.toObject(), voidedAt: now })) } } : {}),
      },
    };
    // The version number guards against two editors saving over each other.
    const res = await Contract.updateOne({ _id: existing._id, "versions.number": current.number, status: "draft" }, update, { session });
    if (res.modifiedCount !== 1) throw new ConflictError("contracts.errors.changedMeanwhile");
    await recordAudit(session, {
      subjectType: "contract",
      subject: existing._id,
      action: voided ? "contract.edit.signaturesVoided" : "contract.edit",
      from: `v${current.number}`,
      to: `v${number}`,
      actor,
      via: opts.via ?? "ui",
      at: now,
    });
    if (voided) await tellBothSides(session, deal, "contract.signatureVoided", { by: actor.name, version: String(number) }, now);
    return number;
  });
}

export interface SignInput {
  /** The version the signer read; a newer one means they must read again. */
  version: number;
  ip: string;
  /** The seller's plan of the conversion income (universities and institutes). */
  distribution?: DistributionShare[] | null;
}

/**
 * Click-to-sign for the actor's side: records who, for which organisation, when, from which IP,
 * and the SHA-256 of the text. The second side's signature makes the contract `signed` (frozen)
 * and moves the listing deal → contracted through the listing workflow.
 */
export async function signContract(
  actor: Actor,
  dealId: string,
  input: SignInput,
  opts: Opts = {},
): Promise<{ side: ContractSide; signed: boolean }> {
  const now = opts.now ?? new Date();
  return withTransaction(async (session) => {
    const { deal } = await loadDealFor(actor, dealId, session);
    const side = partySideOf(actor, deal);
    if (!side) throw new ForbiddenError("contracts.errors.notParty");
    // A cancelled or lapsed deal's contract is void: nobody signs it any more (issue 14, point 8).
    if (deal.status !== "open") throw new ConflictError("contracts.errors.dealClosed");
    const contract = await Contract.findOne({ deal: deal._id }).session(session);
    if (!contract) throw new NotFoundError();
    if (contract.status === "signed") throw new ConflictError("contracts.errors.frozen");
    const current = contract.versions[contract.versions.length - 1]!;
    if (input.version !== current.number) throw new ConflictError("contracts.errors.staleVersion", { field: "version" });
    if (contract.signatures.some((s) => s.side === side)) throw new ConflictError("contracts.errors.alreadySigned");

    const facts = await listingFacts(deal, session);
    let distribution: DistributionShare[] | null = null;
    if (side === "seller" && needsDistribution(facts.ownerType)) {
      const parsed = DistributionSchema.safeParse(input.distribution ?? []);
      if (!parsed.success) throw new ValidationError({ distribution: ["contracts.errors.distributionInvalid"] });
      const problems = distributionProblems(parsed.data);
      if (Object.keys(problems).length) throw new ValidationError(problems);
      distribution = parsed.data;
    }
    const signature = {
      side,
      user: oid(actor.id!),
      name: actor.name,
      ...(actor.organization ? { organization: oid(actor.organization.id), organizationName: actor.organization.name ?? null } : {}),
      at: now,
      ip: input.ip || "unknown",
      textHash: current.hash,
      version: current.number,
    };
    const both = contract.signatures.length === 1;
    const res = await Contract.updateOne(
      { _id: contract._id, status: "draft", "signatures.side": { $ne: side }, "versions.number": { $not: { $gt: current.number } } },
      {
        $push: { signatures: signature },
        ...(distribution ? { $set: { distribution } } : {}),
        ...(both ? { $set: { status: "signed", signedAt: now, ...(distribution ? { distribution } : {}) } } : {}),
      },
      { session },
    );
    if (res.modifiedCount !== 1) throw new ConflictError("contracts.errors.changedMeanwhile");
    await recordAudit(session, {
      subjectType: "contract",
      subject: contract._id,
      action: `contract.sign.${side}`,
      from: "draft",
      to: both ? "signed" : "draft",
      actor,
      via: opts.via ?? "ui",
      reason: current.hash,
      at: now,
    });
    if (both) {
      await Deal.updateOne({ _id: deal._id }, { $set: { contractState: "signed" } }, { session });
      // What the buyer owes and when, from the signed contract's stages (services/settlement).
      await createSchedule(session, String(deal._id), now);
      // A non-exclusive licence left the listing trading: there is nothing to move.
      if (deal.endsTrading !== false) {
        await transitionListingInSession(session, SYSTEM_ACTOR, "achievement", String(deal.listing), "signContract", {
          via: "system",
          now,
        });
      }
      await tellBothSides(session, deal, "contract.signed", { title: deal.listingTitle }, now);
    }
    return { side, signed: both };
  });
}

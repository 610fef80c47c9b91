import { Contract } from "~/models/contract.server.ts";
import { needsDistribution, suggestCategory, versionDiff, type DiffLine } from "./rules.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import type { ClauseKey, ContractCategory, ContractSide, ContractStatus } from "~/schemas/contract.ts";
import { NotFoundError } from "~/utils/errors.ts";
import type { Actor } from "../kernel/actor.ts";
import { canWrite, loadDealFor, partySideOf, type ContractAccess } from "./access.server.ts";
import { initialFields, listingFacts } from "./commands.server.ts";

/** Reading a deal's contract: for its parties, their brokers, admins and the bureau (others: 404). */

export interface SignatureView {
  side: ContractSide;
  name: string;
  organizationName: string | null;
  at: string;
  ip: string;
  textHash: string;
  version: number;
  voidedAt: string | null;
}

export interface ContractView {
  id: string;
  status: ContractStatus;
  category: ContractCategory;
  subCategory: string;
  paidInShares: boolean;
  contractAmount: number;
  technologyAmount: number;
  nonTechItems: { label: string; amount: number }[];
  clauses: Record<string, string>;
  version: number;
  text: string;
  textHash: string;
  versions: { number: number; authorName: string; at: string; hash: string }[];
  signatures: SignatureView[];
  voidedSignatures: SignatureView[];
  distribution: { name: string; percent: number }[];
  signedAt: string | null;
}

export interface ContractPage {
  dealId: string;
  listing: { id: string; title: string };
  seller: { name: string; organizationName: string | null };
  buyer: { name: string; organizationName: string | null };
  access: ContractAccess;
  /** The deal's status: a cancelled or lapsed deal's contract is closed (issue 14, point 3). */
  dealStatus: string;
  canEdit: boolean;
  /** The side the actor signs for, when they may sign now. */
  signAs: ContractSide | null;
  contract: ContractView | null;
  /** What a new draft starts from (the suggestion from the terms), when there is no contract. */
  proposal: {
    category: ContractCategory;
    subCategory: string;
    contractAmount: number;
    technologyAmount: number;
    clauses: Record<string, string>;
  };
  needsDistribution: boolean;
  inventors: { name: string; share: number | null }[];
  /** The signing deadline (issue 14, point 8), while it matters. */
  signBy: string | null;
}

const sig = (s: {
  side: string;
  name: string;
  organizationName?: string | null;
  at: Date;
  ip: string;
  textHash: string;
  version: number;
  voidedAt?: Date | null;
}): SignatureView => ({
  side: s.side as ContractSide,
  name: s.name,
  organizationName: s.organizationName ?? null,
  at: s.at.toISOString(),
  ip: s.ip,
  textHash: s.textHash,
  version: s.version,
  voidedAt: s.voidedAt ? s.voidedAt.toISOString() : null,
});

export async function getContractPage(actor: Actor, dealId: string): Promise<ContractPage> {
  const { deal, access } = await loadDealFor(actor, dealId);
  const facts = await listingFacts(deal);
  const c = await Contract.findOne({ deal: deal._id }).lean();
  const init = initialFields(deal, facts);
  const suggestion = suggestCategory(normalizeTerms(deal.terms as Terms), facts.hasPatents);
  let contract: ContractView | null = null;
  if (c) {
    const current = c.versions[c.versions.length - 1]!;
    contract = {
      id: String(c._id),
      status: c.status as ContractStatus,
      category: c.category as ContractCategory,
      subCategory: c.subCategory,
      paidInShares: !!c.paidInShares,
      contractAmount: c.contractAmount,
      technologyAmount: c.technologyAmount,
      nonTechItems: (c.nonTechItems ?? []).map((i) => ({ label: i.label, amount: i.amount })),
      clauses: (c.clauses ?? {}) as Record<ClauseKey, string>,
      version: current.number,
      text: current.text,
      textHash: current.hash,
      versions: c.versions.map((v) => ({ number: v.number, authorName: v.author?.name ?? "", at: v.at.toISOString(), hash: v.hash })),
      signatures: c.signatures.map(sig),
      voidedSignatures: (c.voidedSignatures ?? []).map(sig),
      distribution: (c.distribution ?? []).map((d) => ({ name: d.name, percent: d.percent })),
      signedAt: c.signedAt ? c.signedAt.toISOString() : null,
    };
  }
  const side = partySideOf(actor, deal);
  const signAs =
    deal.status === "open" && contract && contract.status === "draft" && side && !contract.signatures.some((s) => s.side === side)
      ? side
      : null;
  return {
    dealId: String(deal._id),
    listing: { id: String(deal.listing), title: deal.listingTitle },
    seller: { name: deal.seller.name, organizationName: deal.seller.organizationName ?? null },
    buyer: { name: deal.buyer.name, organizationName: deal.buyer.organizationName ?? null },
    access,
    dealStatus: deal.status,
    canEdit: canWrite(access) && deal.status === "open" && contract?.status !== "signed",
    signAs,
    contract,
    proposal: {
      category: suggestion.category,
      subCategory: suggestion.subCategory,
      contractAmount: init.contractAmount,
      technologyAmount: init.technologyAmount,
      clauses: init.clauses as Record<string, string>,
    },
    needsDistribution: needsDistribution(facts.ownerType),
    inventors: facts.inventors,
    signBy: deal.signBy ? deal.signBy.toISOString() : null,
  };
}

/** The diff between two versions of the deal's contract. */
export async function contractDiff(actor: Actor, dealId: string, from: number, to: number): Promise<DiffLine[]> {
  const { deal } = await loadDealFor(actor, dealId);
  const c = await Contract.findOne({ deal: deal._id }, { versions: 1 }).lean();
  const a = c?.versions.find((v) => v.number === from);
  const b = c?.versions.find((v) => v.number === to);
  if (!a || !b) throw new NotFoundError();
  return versionDiff(a.text, b.text);
}

import type { PlatformSettings } from "~/schemas/settings.ts";
import type { OrganizationType } from "~/utils/organization.ts";

/** Public institutions in the sense of the 公示 rule: universities, research institutes, government bodies. */
export const PUBLIC_INSTITUTION_TYPES: readonly OrganizationType[] = ["university", "institute", "government"];

/** What decides an item's 公示 length. */
export interface NoticeSubject {
  kind: "achievement" | "demand";
  /** The owning organisation's type (achievements carry it as `ownerType`). */
  ownerType?: string | null;
  /** The asking price's mode: "negotiable" (面议) is a price set by agreement, 协议定价. */
  priceMode?: string | null;
}

/** 协议定价 by a public institution: the long notice the law asks for. */
export function isPublicAgreement(item: NoticeSubject): boolean {
  return (
    item.kind === "achievement" &&
    item.priceMode === "negotiable" &&
    PUBLIC_INSTITUTION_TYPES.includes((item.ownerType ?? "") as OrganizationType)
  );
}

/** The 公示 length in days for this item under these settings. */
export function noticeDaysFor(settings: Pick<PlatformSettings, "noticeDays" | "publicAgreementNoticeDays">, item: NoticeSubject): number {
  return isPublicAgreement(item) ? settings.publicAgreementNoticeDays : settings.noticeDays;
}

const DAY_MS = 86_400_000;

/** When the 公示 of an item published at `publishedAt` ends. */
export function noticeEndFor(
  settings: Pick<PlatformSettings, "noticeDays" | "publicAgreementNoticeDays">,
  item: NoticeSubject,
  publishedAt: Date,
): Date {
  return new Date(publishedAt.getTime() + noticeDaysFor(settings, item) * DAY_MS);
}

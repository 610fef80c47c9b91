import { z } from "zod";
import { AUDIT_SUBJECT_TYPES } from "~/utils/audit-subjects.ts";
import { isCalendarDate } from "~/utils/china-time.ts";
import { objectIdString } from "./ids.ts";

/** The admin pages' inputs (issue 13, point 11): organisations, users, the audit log. Messages are i18n keys. */

const searchText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, "admin.searchTooLong")
    .refine((q) => !/\p{Cc}/u.test(q), "admin.searchControlChars")
    .optional()
    .transform((v) => v || undefined);

const page = z.coerce.number().int().min(1).max(10_000).catch(1).default(1);

export const ORG_SEARCH_MAX = 100;

export const OrgListQuerySchema = z.object({
  q: searchText(ORG_SEARCH_MAX),
  verified: z.enum(["yes", "no"]).optional().catch(undefined),
  page,
});
export type OrgListQuery = z.output<typeof OrgListQuerySchema>;

export const OrgVerifySchema = z.object({
  intent: z.literal("verify"),
  orgId: objectIdString("errors.invalidId"),
  verified: z.enum(["true", "false"]).transform((v) => v === "true"),
});

export const OrgEditSchema = z.object({
  intent: z.literal("edit"),
  orgId: objectIdString("errors.invalidId"),
  name: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(120, "errors.tooLong"),
  // Checked against GB 32100-2015 by the service (one place for the check digit and the duplicate).
  creditCode: z.string().trim().max(40, "errors.tooLong").optional(),
});

/** Merge `orgId` (the duplicate) into `into`: the surviving organisation's id or its credit code. */
export const OrgMergeSchema = z.object({
  intent: z.literal("merge"),
  orgId: objectIdString("errors.invalidId"),
  into: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(40, "errors.tooLong"),
  confirm: z.literal("yes", { errorMap: () => ({ message: "admin.orgs.mergeConfirm" }) }),
});

export const OrgIntentSchema = z.discriminatedUnion("intent", [OrgVerifySchema, OrgEditSchema, OrgMergeSchema]);

export const SetDisabledSchema = z.object({
  intent: z.literal("set-disabled"),
  userId: objectIdString("errors.invalidId"),
  disabled: z.enum(["true", "false"]).transform((v) => v === "true"),
});

const day = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => v === undefined || isCalendarDate(v), "admin.audit.badDate");

export const AuditQuerySchema = z
  .object({
    actor: searchText(100),
    action: searchText(60),
    subjectType: z.enum(AUDIT_SUBJECT_TYPES).optional().catch(undefined),
    subject: searchText(24).refine((v) => v === undefined || /^[a-f0-9]{24}$/i.test(v), "errors.invalidId"),
    fromDate: day,
    toDate: day,
    q: searchText(100),
    page,
  })
  .superRefine((v, ctx) => {
    if (v.fromDate && v.toDate && v.fromDate > v.toDate) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["toDate"], message: "admin.audit.badRange" });
    }
  });
export type AuditQueryInput = z.output<typeof AuditQuerySchema>;

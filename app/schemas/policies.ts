import { z } from "zod";
import { isCalendarDate } from "~/utils/china-time.ts";
import { isDocNumber, normalizeDocNumber, POLICY_KINDS } from "~/utils/policies.ts";

/**
 * Inputs of policies and notices (issue 15, point 8): the bureau's form, the withdrawal, the
 * public list's query and the API's. Messages are i18n keys (app/locales/modules/policies.ts).
 */
const text = (max: number, required: string, tooLong = "policies.errors.tooLong") =>
  z.string({ required_error: required, invalid_type_error: required }).trim().min(1, required).max(max, `${tooLong}?max=${max}`);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `policies.errors.tooLong?max=${max}`)
    .optional()
    .transform((s) => s || undefined);

/** A YYYY-MM-DD calendar date (China), or nothing. */
const optionalDate = z
  .string()
  .trim()
  .optional()
  .refine((s) => !s || isCalendarDate(s), "policies.errors.date")
  .transform((s) => s || undefined);

export const MAX_POLICY_BODY = 50_000;

export const PolicyFormSchema = z
  .object({
    kind: z.enum(POLICY_KINDS, { errorMap: () => ({ message: "policies.errors.kind" }) }),
    title: text(200, "policies.errors.titleRequired"),
    /** 发文字号: optional (a notice often has none); when given, its loose shape is checked. */
    docNumber: z
      .string()
      .optional()
      .transform((s) => (s ? normalizeDocNumber(s) : ""))
      .refine((s) => !s || isDocNumber(s), "policies.errors.docNumber")
      .transform((s) => s || undefined),
    issuer: text(100, "policies.errors.issuerRequired"),
    /** 成文日期; optional so a date nobody can vouch for is never made up. */
    issuedOn: optionalDate,
    /** 施行日期 */
    effectiveOn: optionalDate,
    summary: optionalText(300),
    body: text(MAX_POLICY_BODY, "policies.errors.bodyRequired"),
  })
  .superRefine((v, ctx) => {
    if (v.issuedOn && v.effectiveOn && v.effectiveOn < v.issuedOn)
      ctx.addIssue({ code: "custom", path: ["effectiveOn"], message: "policies.errors.effectiveBeforeIssued" });
  });
export type PolicyInput = z.input<typeof PolicyFormSchema>;
export type PolicyData = z.output<typeof PolicyFormSchema>;

export const WithdrawPolicySchema = z.object({
  reason: text(500, "policies.errors.reasonRequired"),
});

export const POLICY_PAGE_SIZE = 10;

/** /policies and GET /api/v1/policies: `kind` (policy | notice) and `page`. */
export const PolicyListQuerySchema = z
  .object({
    kind: z.enum(POLICY_KINDS, { errorMap: () => ({ message: "policies.errors.kind" }) }).optional(),
    page: z.coerce
      .number({ invalid_type_error: "policies.errors.page" })
      .int("policies.errors.page")
      .min(1, "policies.errors.page")
      .max(1000, "policies.errors.page")
      .default(1),
  })
  .strict();
export type PolicyListQuery = z.output<typeof PolicyListQuerySchema>;

/** The fields of the bureau's form (new and edit pages): what a refusal gives back as typed. */
export const POLICY_FORM_FIELDS = ["intent", "kind", "title", "docNumber", "issuer", "issuedOn", "effectiveOn", "summary", "body"] as const;

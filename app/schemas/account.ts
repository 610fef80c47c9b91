import { z } from "zod";
import { objectIdString } from "./ids.ts";
import { ORGANIZATION_TYPES } from "~/utils/organization.ts";
import { ROLES, SELF_SERVICE_ROLES } from "~/utils/permissions.ts";
import { usccProblem } from "~/utils/uscc.ts";

// Messages are i18n keys (app/locales); the form shows them translated next to the field.

export const EmailSchema = z
  .string({ required_error: "errors.required" })
  .trim()
  .max(254, "errors.tooLong")
  .email("errors.email")
  .transform((v) => v.toLowerCase());

/**
 * At least 8 characters with a letter and a digit, and one "weak" message whatever is missing:
 * a short password without a digit used to break both checks and show the message twice.
 */
export const PasswordSchema = z
  .string({ required_error: "errors.required" })
  .min(8, "errors.passwordWeak")
  .max(128, "errors.tooLong")
  // A short password has its message already (zod runs a refinement after a failed check).
  .refine((v) => v.length < 8 || (/[A-Za-z]/.test(v) && /\d/.test(v)), "errors.passwordWeak");

export const ACCOUNT_TYPES = ORGANIZATION_TYPES;

export const RegisterSchema = z
  .object({
    email: EmailSchema,
    name: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(60, "errors.tooLong"),
    password: PasswordSchema,
    confirmPassword: z.string({ required_error: "errors.required" }),
    roles: z.array(z.enum(SELF_SERVICE_ROLES), { required_error: "errors.rolesRequired" }).min(1, "errors.rolesRequired"),
    accountType: z.enum(ACCOUNT_TYPES, { required_error: "errors.required", invalid_type_error: "errors.required" }),
    orgName: z.string().trim().max(120, "errors.tooLong").optional(),
    creditCode: z
      .string()
      .trim()
      .toUpperCase()
      .superRefine((code, ctx) => {
        const problem = usccProblem(code);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `errors.uscc.${problem}` });
      })
      .optional(),
    region: z
      .string()
      .regex(/^\d{6}$/, "errors.region")
      .optional(),
    /** The credit code is registered already: send its admins a request to join instead. */
    joinExisting: z.boolean().optional(),
    joinMessage: z.string().trim().max(300, "errors.tooLong").optional(),
  })
  // Cross-field rules: zod runs these once every field above is valid.
  .superRefine((v, ctx) => {
    if (v.password && v.confirmPassword !== v.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["confirmPassword"], message: "errors.passwordMismatch" });
    }
    if (
      v.email &&
      v.password &&
      v.password.toLowerCase().includes(v.email.split("@")[0]!.toLowerCase()) &&
      v.email.split("@")[0]!.length >= 4
    ) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["password"], message: "errors.passwordContainsEmail" });
    }
    if (v.accountType && v.accountType !== "individual") {
      if (!v.orgName) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["orgName"], message: "errors.required" });
      if (!v.creditCode) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["creditCode"], message: "errors.required" });
    }
  });
export type RegisterInput = z.infer<typeof RegisterSchema>;

export const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string({ required_error: "errors.required" }).min(1, "errors.required").max(128, "errors.tooLong"),
  redirectTo: z.string().optional(),
  remember: z.boolean().optional(),
});

export const SetRolesSchema = z.object({
  intent: z.literal("set-roles"),
  userId: objectIdString("errors.invalidId"),
  roles: z.array(z.enum(ROLES)).default([]),
});

/** The most a search of the user list may hold. */
export const USER_SEARCH_MAX = 100;

export const UserListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(USER_SEARCH_MAX, "admin.searchTooLong")
    .refine((q) => !/\p{Cc}/u.test(q), "admin.searchControlChars")
    .optional(),
  role: z.enum(ROLES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type UserListQuery = z.output<typeof UserListQuerySchema>;

import { z } from "zod";
import { LOCALES } from "~/utils/i18n.ts";
import { ORG_ROLES } from "~/utils/organization.ts";
import { normalizePhone } from "~/utils/phone.ts";
import { SELF_SERVICE_ROLES } from "~/utils/permissions.ts";
import { usccProblem } from "~/utils/uscc.ts";
import { EmailSchema, PasswordSchema } from "./account.ts";
import { objectIdString } from "./ids.ts";

/** The account's own forms (profile, password, reset) and the organisation page's forms. Messages are i18n keys. */

const NameSchema = z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(60, "errors.tooLong");

/** A new password typed twice, with the registration's strength rules. */
const newPasswordPair = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object({ ...shape, newPassword: PasswordSchema, confirmPassword: z.string({ required_error: "errors.required" }) })
    .superRefine((v, ctx) => {
      if (v.newPassword && v.confirmPassword !== v.newPassword) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["confirmPassword"], message: "errors.passwordMismatch" });
      }
    });

export const ProfileSchema = z.object({
  intent: z.literal("profile"),
  name: NameSchema,
  /** Mainland mobile or landline, stored normalised ("13812345678", "0876-2123456"); empty clears it. */
  phone: z
    .string()
    .trim()
    .max(30, "profile.errors.phone")
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const phone = normalizePhone(v);
      if (!phone) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "profile.errors.phone" });
        return z.NEVER;
      }
      return phone;
    }),
  locale: z
    .enum(LOCALES, { invalid_type_error: "errors.invalidInput" })
    .optional()
    .transform((v) => v ?? null),
});

export const ChangePasswordSchema = newPasswordPair({
  intent: z.literal("password"),
  currentPassword: z.string({ required_error: "errors.required" }).min(1, "errors.required").max(128, "errors.tooLong"),
});

export const ChangeEmailSchema = z.object({
  intent: z.literal("email"),
  newEmail: EmailSchema,
  currentPassword: z.string({ required_error: "errors.required" }).min(1, "errors.required").max(128, "errors.tooLong"),
});

export const ForgotPasswordSchema = z.object({ email: EmailSchema });

export const ResetPasswordSchema = newPasswordPair({});

export const InviteByEmailSchema = z.object({ intent: z.literal("invite"), email: EmailSchema });

export const JoinByCodeSchema = z.object({
  intent: z.literal("join"),
  creditCode: z
    .string({ required_error: "errors.required" })
    .trim()
    .toUpperCase()
    .superRefine((code, ctx) => {
      const problem = usccProblem(code);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `errors.uscc.${problem}` });
    }),
  message: z.string().trim().max(300, "errors.tooLong").optional(),
});

export const MemberActionSchema = z.object({ userId: objectIdString("errors.invalidId") });
export const SetMemberRoleSchema = MemberActionSchema.extend({ orgRole: z.enum(ORG_ROLES) });
export const DecideRequestSchema = z.object({ requestId: objectIdString("errors.invalidId") });
export const RevokeInvitationSchema = z.object({ invitationId: objectIdString("errors.invalidId") });

/** Registering through an invitation: no organisation fields (the invitation names it). */
export const InviteRegisterSchema = z
  .object({
    intent: z.literal("register"),
    email: EmailSchema,
    name: NameSchema,
    password: PasswordSchema,
    confirmPassword: z.string({ required_error: "errors.required" }),
    roles: z.array(z.enum(SELF_SERVICE_ROLES), { required_error: "errors.rolesRequired" }).min(1, "errors.rolesRequired"),
  })
  .superRefine((v, ctx) => {
    if (v.password && v.confirmPassword !== v.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["confirmPassword"], message: "errors.passwordMismatch" });
    }
  });

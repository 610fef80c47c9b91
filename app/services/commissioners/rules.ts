import type { z } from "zod";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { ValidationError } from "~/utils/errors.ts";
import { can } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";

/**
 * Who may do what with one registry entry: the bureau (and admins) everything; the commissioner
 * themself, when the entry is linked to their account, may see it and log their own activity.
 */
export type CommissionerAccess = "manage" | "self" | null;

export function accessTo(actor: Pick<Actor, "id" | "roles"> | null, commissioner: { user?: unknown }): CommissionerAccess {
  if (!actor) return null;
  if (can(actor, "commissioner:manage")) return "manage";
  if (actor.id && commissioner.user && String(commissioner.user) === actor.id) return "self";
  return null;
}

/** A form's values through its schema, or the field errors as a ValidationError (400, naming each field). */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  return parsed.data as z.output<S>;
}

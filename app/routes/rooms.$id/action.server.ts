import {
  json,
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type TypedResponse,
  type UploadHandler,
} from "@remix-run/node";
import { CSRFError } from "remix-utils/csrf/server";
import { z } from "zod";
import type { ActionFailure } from "~/components/listing/action-result.ts";
import { CardTermsSchema, InviteBrokerSchema, MessageSchema } from "~/schemas/deal-rooms.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts.server.ts";
import { MAX_ATTACHMENT_BYTES } from "~/services/attachments.server.ts";
import { acceptNda, inviteBroker, postAttachment, postMessage, proposeCard, respondToCard } from "~/services/deal-rooms.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { cardErrorsToForm, cardFieldNames, cardTermsFromForm } from "./card-form.ts";

/**
 * The room page's action: one form per intent, each CSRF-checked, parsed with zod and handed to
 * one deal-room service. Success is Post/Redirect/Get back to the room (`?done=…`); bad input is a
 * 400 with the errors by field and what was typed; a refusal (403 / 409) is a form-level message;
 * a room the person is not in is a 404, exactly like a room that does not exist.
 */
import { DONE, ROOM_INTENTS, type RoomIntent } from "./done.ts";
import { requireUser } from "~/web/auth.server.ts";
import { csrfProtection, readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";

export { ROOM_DONE, ROOM_INTENTS, type RoomIntent } from "./done.ts";

/** Where the page lands after each change; the message list ends with #latest. */
function back(roomId: string, intent: RoomIntent) {
  const toList = intent === "send" || intent === "upload" || intent === "propose" || intent === "counter";
  return redirect(`/rooms/${roomId}?done=${DONE[intent]}${toList ? "#latest" : ""}`);
}

const cardId = z.string().regex(/^[a-f0-9]{24}$/i);
const IntentSchema = z.enum(ROOM_INTENTS);
const OnBehalfSchema = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z.enum(["buyer", "seller"], { errorMap: () => ({ message: "rooms.errors.sideRequired" }) }).optional(),
);
const ReasonSchema = z.object({
  reason: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(500, "rooms.errors.tooLong").optional()),
});

type Result = TypedResponse<ActionFailure> | TypedResponse<never>;

function fail(
  status: number,
  intent: string,
  target: string | null,
  fieldErrors: Record<string, string[]>,
  values: Record<string, string>,
  formError: string | null = null,
) {
  const { "": general, ...fields } = fieldErrors;
  return json(
    {
      ok: false as const,
      intent,
      target,
      fieldErrors: fields,
      formError: formError ?? general?.[0] ?? null,
      values,
    } satisfies ActionFailure,
    { status },
  );
}

/** A refusal from a service as the form shows it; a room one is not in stays a 404. */
function refused(
  e: unknown,
  intent: string,
  target: string | null,
  values: Record<string, string>,
  mapFields: (f: Record<string, string[]>) => Record<string, string[]> = (f) => f,
) {
  if (e instanceof ValidationError) return fail(400, intent, target, mapFields(e.fieldErrors), values);
  if (e instanceof NotFoundError) throw errorResponse(e);
  if (e instanceof DomainError) return fail(e.status, intent, target, {}, values, e.message);
  throw e;
}

function pick(values: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (values[n] !== undefined) out[n] = values[n]!;
  return out;
}

export async function roomAction(request: Request, roomId: string): Promise<Result> {
  const user = await requireUser(request);
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) return uploadAction(request, user, roomId);

  const form = await readVerifiedForm(request);
  const values: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string" && k !== "csrf" && !(k in values)) values[k] = v;
  const parsedIntent = IntentSchema.safeParse(values.intent);
  if (!parsedIntent.success) return fail(400, values.intent ?? "", null, {}, {}, "errors.invalidInput");
  const intent = parsedIntent.data;

  switch (intent) {
    case "send": {
      const kept = pick(values, ["text"]);
      const parsed = MessageSchema.safeParse({ text: values.text, clientId: values.clientId || undefined });
      if (!parsed.success) return fail(400, intent, null, flattenZodErrors(parsed.error), kept);
      try {
        await postMessage(user, roomId, parsed.data);
      } catch (e) {
        return refused(e, intent, null, kept);
      }
      return back(roomId, intent);
    }

    case "propose":
    case "counter": {
      const target = intent === "counter" ? (values.cardId ?? null) : null;
      const kept = pick(values, cardFieldNames());
      if (intent === "counter" && !cardId.safeParse(values.cardId).success) return fail(400, intent, null, {}, kept, "errors.invalidInput");
      const { terms, rows } = cardTermsFromForm(values);
      const checked = CardTermsSchema.safeParse(terms);
      const side = OnBehalfSchema.safeParse(values.onBehalfOf);
      if (!checked.success || !side.success) {
        const errors = {
          ...(checked.success ? {} : cardErrorsToForm(flattenZodErrors(checked.error), rows)),
          ...(side.success ? {} : { onBehalfOf: ["rooms.errors.sideRequired"] }),
        };
        return fail(400, intent, target, errors, kept);
      }
      const map = (f: Record<string, string[]>) => cardErrorsToForm(f, rows);
      try {
        if (intent === "propose") await proposeCard(user, roomId, { terms, onBehalfOf: side.data });
        else await respondToCard(user, roomId, { action: "counter", cardId: values.cardId!, terms, onBehalfOf: side.data });
      } catch (e) {
        return refused(e, intent, target, kept, map);
      }
      return back(roomId, intent);
    }

    case "accept":
    case "withdraw":
    case "reject": {
      const id = values.cardId ?? "";
      if (!cardId.safeParse(id).success) return fail(400, intent, null, {}, {}, "errors.invalidInput");
      const kept = pick(values, ["reason"]);
      try {
        if (intent === "reject") {
          const parsed = ReasonSchema.safeParse(values);
          if (!parsed.success) return fail(400, intent, id, flattenZodErrors(parsed.error), kept);
          await respondToCard(user, roomId, { action: "reject", cardId: id, reason: parsed.data.reason });
        } else {
          await respondToCard(user, roomId, { action: intent, cardId: id });
        }
      } catch (e) {
        return refused(e, intent, id, kept);
      }
      return back(roomId, intent);
    }

    case "nda": {
      try {
        await acceptNda(user, roomId);
      } catch (e) {
        return refused(e, intent, null, {});
      }
      return back(roomId, intent);
    }

    case "invite": {
      const kept = pick(values, ["email"]);
      const parsed = InviteBrokerSchema.safeParse({ email: values.email ?? "" });
      if (!parsed.success) return fail(400, intent, null, flattenZodErrors(parsed.error), kept);
      try {
        await inviteBroker(user, roomId, parsed.data);
      } catch (e) {
        return refused(e, intent, null, kept);
      }
      return back(roomId, intent);
    }

    case "upload":
      // An upload is multipart; a urlencoded post cannot carry the file.
      return fail(400, intent, null, { file: ["rooms.errors.fileRequired"] }, {});
  }
}

class TooManyPartsError extends Error {}

/** In memory, one file of at most 10 MB and a handful of text fields; anything bigger is a field error. */
function boundedUploadHandler(): UploadHandler {
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: MAX_ATTACHMENT_BYTES });
  let parts = 0;
  return async (part) => {
    if (++parts > 8) throw new TooManyPartsError();
    return memory(part);
  };
}

async function uploadAction(request: Request, user: SessionUser, roomId: string): Promise<Result> {
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, boundedUploadHandler());
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) return fail(400, "upload", null, { file: ["rooms.errors.fileSize"] }, {});
    if (e instanceof TooManyPartsError) return fail(400, "upload", null, {}, {}, "errors.invalidInput");
    throw e;
  }
  try {
    await csrfProtection().validate(form, request.headers);
  } catch (e) {
    if (e instanceof CSRFError) {
      throw new Response("Invalid or missing CSRF token. Reload the page and try again. / 表单已过期，请刷新页面后重试。", { status: 403 });
    }
    throw e;
  }
  if (form.get("intent") !== "upload") return fail(400, String(form.get("intent") ?? ""), null, {}, {}, "errors.invalidInput");
  const confidential = form.get("confidential") === "on";
  const kept: Record<string, string> = confidential ? { confidential: "on" } : {};
  const file = form.get("file");
  // A file input left empty still sends a part, with no name and no bytes.
  if (!file || typeof file === "string" || (file.name === "" && file.size === 0)) {
    return fail(400, "upload", null, { file: ["rooms.errors.fileRequired"] }, kept);
  }
  try {
    await postAttachment(user, roomId, { filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()), confidential });
  } catch (e) {
    return refused(e, "upload", null, kept);
  }
  return back(roomId, "upload");
}

import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { objectIdString } from "~/schemas/ids.ts";
import { cardErrorsToForm, cardFieldNames, cardTermsFromForm } from "~/components/rooms/card-form.ts";
import { CardTermsSchema, InviteBrokerSchema, MessageSchema } from "~/schemas/deal-rooms.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import { acceptNda } from "~/services/rooms/nda.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { postAttachment } from "~/services/rooms/attachments.server.ts";
import { postMessage } from "~/services/rooms/messages.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refusal, refuse } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, isMultipart, readUpload, readVerifiedForm, uploadedFiles } from "~/web/forms.server.ts";
import { requireMember } from "~/services/rooms/membership.server.ts";

/**
 * The room page's action: one form per intent, each CSRF-checked, parsed with zod and handed to
 * one deal-room service. Success is Post/Redirect/Get back to the room (`?done=<notice>`, shown by
 * <DoneNotice ns="rooms"/> from the locales' `rooms.done.*`); bad input is a 400 with the errors by
 * field and what was typed; a refusal (403 / 409) is a form-level message; a room the person is
 * not in is a 404, exactly like a room that does not exist. All of it in the one action-result
 * shape (app/web/actions.server.ts).
 */

/** The page's intents, and the notice each leaves after its redirect. */
const DONE = {
  send: "sent",
  propose: "proposed",
  accept: "accepted",
  reject: "rejected",
  counter: "countered",
  withdraw: "withdrawn",
  nda: "nda",
  upload: "uploaded",
  invite: "invited",
} as const;
type RoomIntent = keyof typeof DONE;

/** Where the page lands after each change; the message list ends with #latest. */
function back(roomId: string, intent: RoomIntent) {
  const toList = intent === "send" || intent === "upload" || intent === "propose" || intent === "counter";
  return redirectDone(`/rooms/${roomId}`, DONE[intent], toList ? { hash: "latest" } : {});
}

const cardId = objectIdString();
const OnBehalfSchema = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z.enum(["buyer", "seller"], { errorMap: () => ({ message: "rooms.errors.sideRequired" }) }).optional(),
);
const ReasonSchema = z.object({
  reason: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(500, "rooms.errors.tooLong").optional()),
});

/** One file of at most 10 MB and a handful of text fields. */
const UPLOAD_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: 8,
  field: "file",
  tooLarge: "rooms.errors.fileSize",
  tooMany: "errors.invalidInput",
};
/** Too many parts is no fault of the file field: said at the top of the form. */
const tooManyOnTheForm = (f: FieldErrors): FieldErrors => (f.file?.includes(UPLOAD_LIMITS.tooMany) ? { "": f.file } : f);

export async function action({ request, params }: ActionFunctionArgs): Promise<Response> {
  const user = await requireUser(request);
  const roomId = params.id ?? "";
  // A non-member is refused before the body is read (a 404: the room's existence is private too).
  await loadOrThrow(requireMember(user, roomId));
  if (isMultipart(request)) return upload(request, user, roomId);

  const form = await readVerifiedForm(request);
  const values = formValues(form);
  const card = async (intent: "propose" | "counter") => {
    const target = intent === "counter" ? (values.cardId ?? null) : null;
    const kept = formValues(form, cardFieldNames());
    if (intent === "counter" && !cardId.safeParse(values.cardId).success) {
      return refuse(400, { intent, formError: "errors.invalidInput", values: kept });
    }
    const { terms, rows } = cardTermsFromForm(values);
    const checked = CardTermsSchema.safeParse(terms);
    const side = OnBehalfSchema.safeParse(values.onBehalfOf);
    if (!checked.success || !side.success) {
      const fieldErrors = {
        ...(checked.success ? {} : cardErrorsToForm(flattenZodErrors(checked.error), rows)),
        ...(side.success ? {} : { onBehalfOf: ["rooms.errors.sideRequired"] }),
      };
      return refuse(400, { intent, target, fieldErrors, values: kept });
    }
    return attempt(
      { intent, target, values: kept, mapFields: (f) => cardErrorsToForm(f, rows) },
      async (): Promise<unknown> =>
        intent === "propose"
          ? proposeCard(user, roomId, { terms, onBehalfOf: side.data })
          : respondToCard(user, roomId, { action: "counter", cardId: values.cardId!, terms, onBehalfOf: side.data }),
      () => back(roomId, intent),
    );
  };
  const answer = async (intent: "accept" | "withdraw" | "reject") => {
    const id = values.cardId ?? "";
    if (!cardId.safeParse(id).success) return refuse(400, { intent, formError: "errors.invalidInput" });
    const kept = formValues(form, ["reason"]);
    const reason = ReasonSchema.safeParse(values);
    if (intent === "reject" && !reason.success) {
      return refuse(400, { intent, target: id, fieldErrors: flattenZodErrors(reason.error), values: kept });
    }
    return attempt(
      { intent, target: id, values: kept },
      () =>
        intent === "reject"
          ? respondToCard(user, roomId, { action: "reject", cardId: id, reason: reason.data?.reason })
          : respondToCard(user, roomId, { action: intent, cardId: id }),
      () => back(roomId, intent),
    );
  };

  return intentAction<RoomIntent>(values, {
    send: async () => {
      const kept = formValues(form, ["text"]);
      const parsed = MessageSchema.safeParse({ text: values.text, clientId: values.clientId || undefined });
      if (!parsed.success) return refuse(400, { intent: "send", fieldErrors: flattenZodErrors(parsed.error), values: kept });
      return attempt(
        { intent: "send", values: kept },
        () => postMessage(user, roomId, parsed.data),
        () => back(roomId, "send"),
      );
    },
    propose: () => card("propose"),
    counter: () => card("counter"),
    accept: () => answer("accept"),
    withdraw: () => answer("withdraw"),
    reject: () => answer("reject"),
    nda: () =>
      attempt(
        { intent: "nda" },
        () => acceptNda(user, roomId),
        () => back(roomId, "nda"),
      ),
    invite: async () => {
      const kept = formValues(form, ["email"]);
      const parsed = InviteBrokerSchema.safeParse({ email: values.email ?? "" });
      if (!parsed.success) return refuse(400, { intent: "invite", fieldErrors: flattenZodErrors(parsed.error), values: kept });
      return attempt(
        { intent: "invite", values: kept },
        () => inviteBroker(user, roomId, parsed.data),
        () => back(roomId, "invite"),
      );
    },
    // An upload is multipart; a urlencoded post cannot carry the file.
    upload: async () => refuse(400, { intent: "upload", fieldErrors: { file: ["rooms.errors.fileRequired"] } }),
  });
}

/** A file for the room, read within UPLOAD_LIMITS (then CSRF-checked) before anything is stored. */
async function upload(request: Request, user: SessionUser, roomId: string): Promise<Response> {
  let form: FormData;
  try {
    form = await readUpload(request, UPLOAD_LIMITS);
  } catch (e) {
    if (e instanceof ValidationError) return refusal(e, { intent: "upload", mapFields: tooManyOnTheForm });
    throw e;
  }
  if (form.get("intent") !== "upload")
    return refuse(400, {
      intent: String(form.get("intent") ?? ""),
      fieldErrors: { intent: ["errors.invalidInput"] },
      formError: "errors.invalidInput",
    });
  const confidential = form.get("confidential") === "on";
  const kept: Record<string, string> = confidential ? { confidential: "on" } : {};
  const [file] = uploadedFiles(form, "file");
  if (!file) return refuse(400, { intent: "upload", fieldErrors: { file: ["rooms.errors.fileRequired"] }, values: kept });
  return attempt(
    { intent: "upload", values: kept },
    async () => postAttachment(user, roomId, { filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()), confidential }),
    () => back(roomId, "upload"),
  );
}

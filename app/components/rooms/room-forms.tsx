import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { FormFeedback } from "~/schemas/action-result.ts";
import type { CardView } from "~/services/rooms/views.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { cardFormValues, MILESTONE_FIELDS, MILESTONE_MAX, MILESTONE_ROWS, milestoneField } from "./card-form.ts";
import { ChoiceGroup, FieldErrors, FormErrors, FormField, type FieldIds } from "~/components/ui/forms.tsx";

/**
 * The room's forms. Each is a plain POST with an `intent` (and the CSRF token), so all of it works
 * without JavaScript; with it, Remix submits them by fetch and the page revalidates. A refused
 * form shows its errors next to the fields and keeps what was typed (`failure.values`; the page
 * reads the refusal with `resultFor`). Fields come from the one field kit (components/ui/forms.tsx).
 */

type Side = "buyer" | "seller" | "broker";

function ids(prefix: string, name: string, errors: Record<string, string[]> | undefined): FieldIds {
  const id = `${prefix}-${name.replace(/[^\w]+/g, "-")}`;
  return { id, errorId: `${id}-error`, descriptionId: `${id}-hint`, errors: errors?.[name] ?? null };
}

function described(f: FieldIds, hint: boolean) {
  const by = [hint ? f.descriptionId : null, f.errors?.length ? f.errorId : null].filter(Boolean).join(" ");
  return { id: f.id, "aria-describedby": by || undefined, "aria-invalid": f.errors?.length ? true : undefined };
}

function useBusy(intent: string) {
  const navigation = useNavigation();
  return navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
}

/**
 * Empties a form once its own submission went through (with JavaScript the form stays on the
 * page). Not keyed on the loader's data: a revalidation for someone else's change must not wipe
 * what is being typed. A refused submission keeps what was typed.
 */
export function useResetAfterSubmit(intent: string, failed: boolean) {
  const ref = useRef<HTMLFormElement>(null);
  const navigation = useNavigation();
  const mine = useRef(false);
  const submittedIntent = navigation.formData?.get("intent");
  useEffect(() => {
    if (navigation.state === "submitting" && submittedIntent === intent) mine.current = true;
    else if (navigation.state === "idle" && mine.current) {
      mine.current = false;
      if (!failed) ref.current?.reset();
    }
  }, [navigation.state, submittedIntent, intent, failed]);
  return ref;
}

/**
 * Price, mode, licence kind, territory, term, royalty, up to three milestone rows (more when the
 * card being countered has more) and a note; a broker also says which party the card is for.
 */
export function CardTermsForm({
  intent,
  mySide,
  card,
  failure,
}: {
  intent: "propose" | "counter";
  mySide: Side;
  /** The open card, for a counter: the form starts as a copy of it. */
  card?: CardView;
  failure: FormFeedback | null;
}) {
  const { t } = useTranslation();
  const busy = useBusy(intent);
  const prefix = intent;
  const values = failure?.values ?? (card ? cardFormValues(card.terms, card.note) : {});
  const errors = failure?.fieldErrors;
  const field = (name: string) => ids(prefix, name, errors);
  const v = (name: string) => values[name] ?? "";
  let rows = Math.max(MILESTONE_ROWS, card?.terms.milestones.length ?? 0);
  for (let i = MILESTONE_MAX - 1; i >= rows; i--) if (MILESTONE_FIELDS.some((f) => v(milestoneField(i, f)))) rows = i + 1;
  // A broker counters for the party opposite the card's; proposing, they choose.
  const counterFor = card ? (card.forSide === "buyer" ? "seller" : "buyer") : null;

  const price = field("price");
  const mode = field("transactionMode");
  const excl = field("licenseExclusivity");
  const territory = field("territory");
  const term = field("termMonths");
  const royalty = field("royaltyPercent");
  const note = field("note");
  const behalf = field("onBehalfOf");
  return (
    <Form method="post" className="room-card-form" data-testid={`${intent}-form`} preventScrollReset>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      {card ? <input type="hidden" name="cardId" value={card.id} /> : null}
      <FormErrors errors={failure?.formError ? [failure.formError] : null} />
      {mySide === "broker" && intent === "propose" ? (
        <ChoiceGroup field={behalf} legend={t("rooms.cardForm.onBehalfOf")} hint={t("rooms.cardForm.onBehalfHint")} required>
          {(["seller", "buyer"] as const).map((s) => (
            <label key={s}>
              <input
                type="radio"
                name="onBehalfOf"
                value={s}
                defaultChecked={v("onBehalfOf") === s}
                required
                data-testid={`on-behalf-${s}`}
              />
              {t(`rooms.sides.${s}`)}
            </label>
          ))}
        </ChoiceGroup>
      ) : null}
      {mySide === "broker" && counterFor ? <input type="hidden" name="onBehalfOf" value={counterFor} /> : null}

      <FormField field={price} label={t("rooms.cardForm.price")} hint={t("rooms.cardForm.priceHint")} required>
        <input {...described(price, true)} name="price" inputMode="decimal" autoComplete="off" defaultValue={v("price")} required />
      </FormField>
      <div className="field-row">
        <FormField field={mode} label={t("rooms.cardForm.mode")} required>
          <select {...described(mode, false)} name="transactionMode" defaultValue={v("transactionMode") || "transfer"} required>
            {TRANSACTION_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`listing.modes.${m}`)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField field={excl} label={t("rooms.cardForm.exclusivity")} hint={t("rooms.cardForm.exclusivityHint")}>
          <select {...described(excl, true)} name="licenseExclusivity" defaultValue={v("licenseExclusivity")}>
            <option value="">{t("rooms.cardForm.exclusivityNone")}</option>
            {LICENSE_EXCLUSIVITY.map((x) => (
              <option key={x} value={x}>
                {t(`listing.exclusivity.${x}`)}
              </option>
            ))}
          </select>
        </FormField>
      </div>
      <FormField field={territory} label={t("rooms.cardForm.territory")} hint={t("rooms.cardForm.territoryHint")}>
        <input {...described(territory, true)} name="territory" maxLength={100} defaultValue={v("territory")} />
      </FormField>
      <div className="field-row">
        <FormField field={term} label={t("rooms.cardForm.termMonths")}>
          <input
            {...described(term, false)}
            name="termMonths"
            type="number"
            min={1}
            max={600}
            step={1}
            inputMode="numeric"
            defaultValue={v("termMonths")}
          />
        </FormField>
        <FormField field={royalty} label={t("rooms.cardForm.royaltyPercent")} hint={t("rooms.cardForm.royaltyHint")}>
          <input {...described(royalty, true)} name="royaltyPercent" inputMode="decimal" defaultValue={v("royaltyPercent")} />
        </FormField>
      </div>
      <fieldset className={`fieldset room-milestones${errors?.milestones?.length ? " field--invalid" : ""}`}>
        <legend>{t("rooms.cardForm.milestones")}</legend>
        <p className="field-hint">{t("rooms.cardForm.milestonesHint")}</p>
        <FieldErrors errors={errors?.milestones} />
        {Array.from({ length: rows }, (_, i) => (
          <div className="room-milestone" key={i} data-testid="milestone-row">
            {MILESTONE_FIELDS.map((f) => {
              const name = milestoneField(i, f);
              const fi = field(name);
              const label = t(
                f === "title"
                  ? "rooms.cardForm.milestoneTitle"
                  : f === "amount"
                    ? "rooms.cardForm.milestoneAmount"
                    : "rooms.cardForm.milestoneDays",
              );
              return (
                <div className={`field${fi.errors?.length ? " field--invalid" : ""}`} key={f}>
                  <label htmlFor={fi.id}>
                    <span className="sr-only">{t("rooms.cardForm.milestone", { n: i + 1 })} </span>
                    {label}
                  </label>
                  <input
                    {...described(fi, false)}
                    name={name}
                    defaultValue={v(name)}
                    inputMode={f === "title" ? undefined : f === "amount" ? "decimal" : "numeric"}
                    maxLength={f === "title" ? 100 : 20}
                  />
                  <FieldErrors id={fi.errorId} errors={fi.errors} />
                </div>
              );
            })}
          </div>
        ))}
      </fieldset>
      <FormField field={note} label={t("rooms.cardForm.note")}>
        <textarea {...described(note, false)} name="note" rows={2} maxLength={1000} defaultValue={v("note")} />
      </FormField>
      <button type="submit" className="button" disabled={busy} data-testid={`${intent}-submit`}>
        {busy ? t("rooms.respond.working") : t(intent === "propose" ? "rooms.cardForm.submit" : "rooms.cardForm.counterSubmit")}
      </button>
    </Form>
  );
}

/** A folded section that opens by itself when its form came back with errors. */
export function Fold({ summary, open, children, testId }: { summary: string; open: boolean; children: ReactNode; testId?: string }) {
  return (
    <details className="room-fold" open={open || undefined} data-testid={testId}>
      <summary>{summary}</summary>
      {children}
    </details>
  );
}

/**
 * What whoever looks at the open card may do with it (the service decides again): the other party
 * accepts or rejects; the other party — or a broker for them — counters; the proposing side withdraws.
 */
export function RespondForms({
  card,
  mySide,
  meId,
  failures,
}: {
  card: CardView;
  mySide: Side;
  meId: string;
  failures: { accept: FormFeedback | null; reject: FormFeedback | null; withdraw: FormFeedback | null; counter: FormFeedback | null };
}) {
  const { t } = useTranslation();
  const busyAccept = useBusy("accept");
  const busyReject = useBusy("reject");
  const busyWithdraw = useBusy("withdraw");
  const answering = mySide !== "broker" && card.forSide !== mySide;
  const canWithdraw = card.proposedBy.id === meId || mySide === card.forSide;
  const canCounter = answering || mySide === "broker";
  const reasonId = `reject-reason-${card.id}`;
  const reason: FieldIds = {
    id: reasonId,
    errorId: `${reasonId}-error`,
    descriptionId: `${reasonId}-hint`,
    errors: failures.reject?.fieldErrors.reason ?? null,
  };
  return (
    <div className="room-respond" data-testid="respond-forms">
      {!answering && !canCounter ? <p className="muted">{t("rooms.respond.waiting")}</p> : null}
      {mySide === "broker" ? <p className="muted">{t("rooms.respond.brokerNote")}</p> : null}
      {answering ? (
        <Form method="post" preventScrollReset className="room-respond__accept">
          <AuthenticityTokenInput />
          <input type="hidden" name="cardId" value={card.id} />
          <p className="field-hint">{t("rooms.respond.acceptNote")}</p>
          <FormErrors errors={failures.accept?.formError ? [failures.accept.formError] : null} />
          <button type="submit" name="intent" value="accept" className="button" disabled={busyAccept} data-testid="card-accept">
            {busyAccept ? t("rooms.respond.working") : t("rooms.respond.accept")}
          </button>
        </Form>
      ) : null}
      {answering ? (
        <Fold summary={t("rooms.respond.reject")} open={!!failures.reject} testId="reject-fold">
          <Form method="post" preventScrollReset>
            <AuthenticityTokenInput />
            <input type="hidden" name="cardId" value={card.id} />
            <input type="hidden" name="intent" value="reject" />
            <FormErrors errors={failures.reject?.formError ? [failures.reject.formError] : null} />
            <FormField field={reason} label={t("rooms.respond.reason")}>
              <textarea
                {...described(reason, false)}
                name="reason"
                rows={2}
                maxLength={500}
                defaultValue={failures.reject?.values.reason ?? ""}
              />
            </FormField>
            <button type="submit" className="button button--ghost" disabled={busyReject} data-testid="card-reject">
              {busyReject ? t("rooms.respond.working") : t("rooms.respond.reject")}
            </button>
          </Form>
        </Fold>
      ) : null}
      {canCounter ? (
        <Fold summary={t("rooms.cardForm.counterTitle")} open={!!failures.counter} testId="counter-fold">
          <p className="muted">{t("rooms.cardForm.counterIntro")}</p>
          <CardTermsForm intent="counter" mySide={mySide} card={card} failure={failures.counter} />
        </Fold>
      ) : null}
      {canWithdraw ? (
        <Form method="post" preventScrollReset>
          <AuthenticityTokenInput />
          <input type="hidden" name="cardId" value={card.id} />
          <FormErrors errors={failures.withdraw?.formError ? [failures.withdraw.formError] : null} />
          <button
            type="submit"
            name="intent"
            value="withdraw"
            className="button button--ghost"
            disabled={busyWithdraw}
            data-testid="card-withdraw"
          >
            {busyWithdraw ? t("rooms.respond.working") : t("rooms.respond.withdraw")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}

/** A file for the room: PDF or image, ≤ 10 MB, optionally confidential (behind the NDA). */
export function UploadForm({ failure }: { failure: FormFeedback | null }) {
  const { t } = useTranslation();
  const busy = useBusy("upload");
  const formRef = useResetAfterSubmit("upload", !!failure);
  const file = ids("upload", "file", failure?.fieldErrors);
  return (
    <section className="room-panel" aria-labelledby="upload-title">
      <h2 id="upload-title">{t("rooms.attachments.title")}</h2>
      <Form method="post" encType="multipart/form-data" preventScrollReset data-testid="upload-form" ref={formRef}>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="upload" />
        <FormErrors errors={failure?.formError ? [failure.formError] : null} />
        <FormField field={file} label={t("rooms.attachments.file")} hint={t("rooms.attachments.fileHint")}>
          <input
            {...described(file, true)}
            type="file"
            name="file"
            accept=".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"
            required
          />
        </FormField>
        <label className="checkbox">
          <input
            type="checkbox"
            name="confidential"
            value="on"
            defaultChecked={failure?.values.confidential === "on"}
            data-testid="upload-confidential"
          />{" "}
          🔒 {t("rooms.attachments.confidential")}
        </label>
        <p>
          <button type="submit" className="button button--ghost" disabled={busy} data-testid="upload-submit">
            {busy ? t("rooms.respond.working") : t("rooms.attachments.submit")}
          </button>
        </p>
      </Form>
    </section>
  );
}

/** A party brings a technology broker in by their email. */
export function InviteForm({ failure }: { failure: FormFeedback | null }) {
  const { t } = useTranslation();
  const busy = useBusy("invite");
  const formRef = useResetAfterSubmit("invite", !!failure);
  const email = ids("invite", "email", failure?.fieldErrors);
  return (
    <section className="room-panel" aria-labelledby="invite-title">
      <h2 id="invite-title">{t("rooms.invite.title")}</h2>
      <p className="muted">{t("rooms.invite.intro")}</p>
      <Form method="post" preventScrollReset data-testid="invite-form" ref={formRef}>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="invite" />
        <FormErrors errors={failure?.formError ? [failure.formError] : null} />
        <FormField field={email} label={t("rooms.invite.email")}>
          <input
            {...described(email, false)}
            type="email"
            name="email"
            autoComplete="off"
            maxLength={200}
            defaultValue={failure?.values.email ?? ""}
            required
          />
        </FormField>
        <button type="submit" className="button button--ghost" disabled={busy}>
          {busy ? t("rooms.respond.working") : t("rooms.invite.submit")}
        </button>
      </Form>
    </section>
  );
}

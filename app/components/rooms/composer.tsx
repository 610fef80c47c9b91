import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { useRef, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput, useAuthenticityToken } from "remix-utils/csrf/react";
import type { FormFeedback } from "~/schemas/action-result.ts";
import { MESSAGE_MAX } from "~/schemas/deal-rooms.ts";
import { useResetAfterSubmit } from "./room-forms.tsx";
import type { PendingMessage } from "./use-room-live.ts";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";

/**
 * The message box: a plain POST (intent `send`, with a clientId from the loader so a resubmitted
 * form stores the message once). With a live socket the text goes over `room:send` instead and
 * shows as pending until the server acknowledges it. Enter sends on a keyboard (not while an IME
 * is composing); on a touch screen Enter is a new line and the button sends.
 */
export function Composer({
  clientId,
  failure,
  send,
  typed,
  onSent,
}: {
  clientId: string;
  failure: FormFeedback | null;
  send: (text: string) => boolean;
  typed: () => void;
  onSent: () => void;
}) {
  const { t } = useTranslation();
  const formRef = useResetAfterSubmit("send", !!failure);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "send";
  const errors = failure?.fieldErrors.text;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    const box = textRef.current;
    if (!box) return;
    // Over the socket when connected; otherwise Remix posts the form as a browser would.
    if (send(box.value)) {
      e.preventDefault();
      box.value = "";
      box.focus();
      onSent();
    }
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing) return;
    if (typeof window !== "undefined" && window.matchMedia?.("(pointer: coarse)").matches) return;
    e.preventDefault();
    formRef.current?.requestSubmit();
  };

  return (
    <Form method="post" ref={formRef} onSubmit={onSubmit} className="room-composer" data-testid="composer" preventScrollReset>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value="send" />
      <input type="hidden" name="clientId" value={clientId} />
      <FormErrors errors={failure?.formError ? [failure.formError] : null} />
      <div className={`room-composer__row${errors?.length ? " field--invalid" : ""}`}>
        <label htmlFor="composer-text" className="sr-only">
          {t("rooms.composer.label")}
        </label>
        <textarea
          ref={textRef}
          id="composer-text"
          name="text"
          rows={2}
          maxLength={MESSAGE_MAX}
          placeholder={t("rooms.composer.placeholder")}
          defaultValue={failure?.values.text ?? ""}
          aria-describedby={errors?.length ? "composer-error" : undefined}
          aria-invalid={errors?.length ? true : undefined}
          onKeyDown={onKeyDown}
          onInput={typed}
          required
          data-testid="composer-text"
        />
        <button type="submit" className="button" disabled={busy} data-testid="composer-send">
          {t("rooms.composer.send")}
        </button>
      </div>
      <FieldErrors id="composer-error" errors={errors} />
    </Form>
  );
}

/** Sends a failed socket message as a plain form post (same clientId: stored at most once). */
export function usePostMessage() {
  const submit = useSubmit();
  const csrf = useAuthenticityToken();
  return (p: PendingMessage) =>
    submit({ intent: "send", text: p.text, clientId: p.clientId, csrf }, { method: "post", preventScrollReset: true });
}

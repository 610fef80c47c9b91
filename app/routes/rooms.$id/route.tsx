import { randomUUID } from "node:crypto";
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useLayoutEffect, useMemo, useRef, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { Composer, usePostMessage } from "~/components/rooms/composer.tsx";
import { CardTermsForm, Fold, InviteForm, RespondForms, UploadForm } from "~/components/rooms/room-forms.tsx";
import { AgreedPanel, MessageItem, NdaPanel, OfferCardBox, PendingItem, SideBadge } from "~/components/rooms/room-parts.tsx";
import roomStyles from "~/components/rooms/rooms.css";
import { useRoomLive } from "~/components/rooms/use-room-live.ts";
import tradingStyles from "~/components/trading/trading.css";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FormErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult, type FormFeedback } from "~/schemas/action-result.ts";
import { getRoom } from "~/services/rooms/queries.server.ts";
import { markRead } from "~/services/rooms/messages.server.ts";
import listingStyles from "~/styles/listings.css";
import { formMessage } from "~/utils/messages.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

export { action } from "./action.server.ts";

/**
 * 洽谈室: one negotiation between a buyer and the seller side (and invited brokers). The page is
 * complete without JavaScript — history (paged back with ?before=<seq>), the NDA, the open offer
 * card with the forms that may act on it, the composer, uploads and invitations are plain forms.
 * With JavaScript it is live over socket.io (use-room-live.ts): messages, cards, typing,
 * presence and read receipts arrive without reloads. Non-members get a 404, never the room.
 * The forms' action is beside this file (action.server.ts).
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: roomStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "洽谈室 · 成果" }];

const BeforeSchema = z.coerce.number().int().min(2).max(1e9).optional().catch(undefined);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const before = BeforeSchema.parse(new URL(request.url).searchParams.get("before") || undefined);
  const room = await loadOrThrow(getRoom(user, params.id ?? "", { beforeSeq: before }));
  // Opening the latest messages reads them (what unread counts and "已读" go by without JavaScript).
  if (before == null && (room.reads.find((r) => r.userId === user.id)?.seq ?? 0) < room.lastSeq) {
    await markRead(user, room.id, room.lastSeq);
  }
  const t = requestT(request);
  return json({
    room,
    me: { id: user.id, name: user.name },
    before: before ?? null,
    // The composer's id for a plain post: a form sent twice stores one message.
    clientId: randomUUID(),
    pageTitle: pageTitle(t, room.listing.title, t("rooms.page.title")),
  });
}

const useIsoLayoutEffect = typeof document !== "undefined" ? useLayoutEffect : useEffect;
const PAGE = 50;

export default function RoomPage() {
  const { room, before } = useLoaderData<typeof loader>();
  // The live view and each page of older messages (and each room) are separate views: switching
  // between them starts the message list afresh instead of mixing pages.
  return <RoomView key={`${room.id}:${before ?? "latest"}`} />;
}

function RoomView() {
  const { room, me, before, clientId } = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  const { t } = useTranslation();
  const initial = useMemo(
    () => ({ roomId: room.id, lastSeq: room.lastSeq, messages: room.messages, openCard: room.openCard, nda: room.nda, reads: room.reads }),
    [room],
  );
  const live = useRoomLive({ initial, meId: me.id, enabled: before == null });
  const postMessage = usePostMessage();
  const mySide = room.mySide;
  const card = live.openCard;

  // Whose reading counts as "the other side read it": the buyer for the seller side, the seller
  // side for the buyer, either party for a broker.
  const readerSide = (userId: string) =>
    userId === room.buyer.id ? "buyer" : room.brokers.some((b) => b.id === userId) ? "broker" : "seller";
  const otherRead = live.reads
    .filter((r) => r.userId !== me.id)
    .filter((r) => {
      const side = readerSide(r.userId);
      return side !== "broker" && (mySide === "broker" || side !== mySide);
    })
    .reduce((max, r) => Math.max(max, r.seq), 0);

  // Scrolling: start at the newest message, stay at the bottom while new ones come in (unless
  // the reader scrolled up), and keep the view still when older ones are put above it.
  const scrollRef = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const tail = `${live.messages[live.messages.length - 1]?.seq ?? 0}:${live.pending.length}`;
  useIsoLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && anchor.current) {
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    }
  }, [live.firstSeq]);
  useEffect(() => {
    const el = scrollRef.current;
    if (el && before == null && nearBottom.current) el.scrollTop = el.scrollHeight;
  }, [tail, before]);
  const older = () => {
    const el = scrollRef.current;
    if (!el || before != null) return false;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    if (live.loadOlder()) return true;
    anchor.current = null;
    return false;
  };
  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
    if (el.scrollTop < 60 && live.hasOlder && !live.loadingOlder) older();
  };
  const onOlderClick = (e: MouseEvent) => {
    if (older()) e.preventDefault();
  };

  const pageLast = live.messages[live.messages.length - 1]?.seq ?? 0;
  const newerHref = pageLast + PAGE >= room.lastSeq ? `/rooms/${room.id}` : `/rooms/${room.id}?before=${pageLast + PAGE + 1}`;
  // A refusal's message with its parameters (the 公示's end date …), as FormErrors reads it.
  const withParams = (f: FormFeedback | null): FormFeedback | null =>
    f?.formError ? { ...f, formError: formMessage(f.formError, f.params) } : f;
  const fail = (intent: string, target: string | null = null) => withParams(resultFor(result, intent, target));
  // A refused answer to a card that is no longer the open one (answered meanwhile): said here.
  const staleCardError =
    result && !result.ok && ["accept", "reject", "withdraw", "counter"].includes(result.intent) && result.target !== card?.id
      ? (withParams(resultFor(result, result.intent, result.target))?.formError ?? null)
      : null;

  return (
    <div className="room" data-testid="room" data-room-id={room.id}>
      <p className="breadcrumb">
        <Link to="/rooms">{t("rooms.page.backToList")}</Link>
      </p>
      <header className="room__head">
        <h1>
          {t("rooms.page.title")} · <Link to={`/achievements/${room.listing.id}`}>{room.listing.title}</Link>
        </h1>
        <dl className="room-facts">
          <div>
            <dt>{t("rooms.page.buyer")}</dt>
            <dd data-testid="room-buyer">
              {room.buyer.name}
              {room.buyer.organizationName ? <span className="muted"> · {room.buyer.organizationName}</span> : null}
            </dd>
          </div>
          <div>
            <dt>{t("rooms.page.seller")}</dt>
            <dd data-testid="room-seller">{room.seller.name}</dd>
          </div>
          <div>
            <dt>{t("rooms.page.brokers")}</dt>
            <dd data-testid="room-brokers">
              {room.brokers.length ? (
                room.brokers.map((b) => b.name).join("、")
              ) : (
                <span className="muted">{t("rooms.page.noBrokers")}</span>
              )}
            </dd>
          </div>
        </dl>
        <p className="room__status">
          <span data-testid="my-side">{t("rooms.page.youAre", { side: t(`rooms.sides.${mySide}`) })}</span>
          {live.connected ? (
            <>
              <span className="room__live" data-testid="room-live">
                ● {t("rooms.page.live")}
              </span>
              <span data-testid="presence">
                {live.online.length
                  ? `${t("rooms.page.online")}：${live.online.map((p) => p.name).join("、")}`
                  : t("rooms.page.nobodyOnline")}
              </span>
            </>
          ) : live.connected === false ? (
            <span className="room__offline" data-testid="room-offline">
              {t("rooms.page.offline")}
            </span>
          ) : null}
        </p>
      </header>

      <DoneNotice ns="rooms" />

      <div className="room__layout">
        <section className="room__chat" aria-labelledby="messages-title">
          <h2 id="messages-title" className="sr-only">
            {t("rooms.page.messages")}
          </h2>
          <div className="room__scroll" ref={scrollRef} onScroll={onScroll} data-testid="message-list">
            {before != null ? (
              <p className="room__paging">
                {t("rooms.page.olderPage")} <Link to={`/rooms/${room.id}#latest`}>{t("rooms.page.latest")}</Link>
              </p>
            ) : null}
            {live.hasOlder ? (
              <p className="room__paging">
                {live.loadingOlder ? (
                  <span className="muted">{t("rooms.page.loadingOlder")}</span>
                ) : (
                  <Link to={`/rooms/${room.id}?before=${live.firstSeq}`} onClick={onOlderClick} data-testid="older-link" preventScrollReset>
                    {t("rooms.page.earlier")}
                  </Link>
                )}
              </p>
            ) : null}
            {live.messages.length === 0 && live.pending.length === 0 ? <p className="empty-state">{t("rooms.page.empty")}</p> : null}
            <ol className="room-messages" aria-live="polite" aria-relevant="additions">
              {live.messages.map((m) => {
                const mine = m.author.id === me.id;
                return (
                  <MessageItem
                    key={m.seq}
                    m={m}
                    card={m.card ? live.cardOf(m.card) : null}
                    mine={mine}
                    read={mine && m.seq <= otherRead}
                    roomId={room.id}
                    confidentialOpen={live.nda.complete && live.nda.acceptances.some((a) => a.userId === me.id)}
                  />
                );
              })}
              {live.pending.map((p) => (
                <PendingItem
                  key={p.clientId}
                  p={p}
                  onRetry={() => {
                    if (!live.retry(p.clientId)) {
                      live.dropPending(p.clientId);
                      postMessage(p);
                    }
                  }}
                  onDrop={() => live.dropPending(p.clientId)}
                />
              ))}
            </ol>
            {before != null ? (
              <p className="room__paging">
                <Link to={newerHref}>{t("rooms.page.newer")}</Link>
              </p>
            ) : null}
            <span id="latest" />
          </div>
          <p className="room__typing" data-testid="typing" title={live.typing.join("、")} aria-live="polite">
            {live.typing.length ? t("rooms.page.typing") : ""}
          </p>
          <Composer
            clientId={clientId}
            failure={fail("send")}
            send={live.send}
            typed={live.typed}
            onSent={() => {
              nearBottom.current = true;
            }}
          />
        </section>

        <aside className="room__side" aria-label={t("rooms.page.sidebar")}>
          {room.agreedTerms ? <AgreedPanel agreed={room.agreedTerms} dealId={room.dealId} /> : null}
          <section className="room-panel" aria-labelledby="card-title" data-testid="card-panel">
            <h2 id="card-title">{t("rooms.card.title")}</h2>
            <FormErrors errors={staleCardError ? [staleCardError] : null} />
            {room.cardsClosed ? (
              <p className="room-cards-closed" data-testid="cards-closed" role="status">
                {t(room.cardsClosed.reason, room.cardsClosed.params)}
              </p>
            ) : null}
            {card ? (
              <>
                <OfferCardBox card={card} />
                <RespondForms
                  key={card.id}
                  card={card}
                  mySide={mySide}
                  meId={me.id}
                  failures={{
                    accept: fail("accept", card.id),
                    reject: fail("reject", card.id),
                    withdraw: fail("withdraw", card.id),
                    counter: fail("counter", card.id),
                  }}
                />
              </>
            ) : room.cardsClosed ? null : (
              <Fold summary={t("rooms.cardForm.proposeTitle")} open={!!fail("propose")} testId="propose-fold">
                <p className="muted">{t("rooms.cardForm.proposeIntro")}</p>
                <CardTermsForm intent="propose" mySide={mySide} failure={fail("propose")} />
              </Fold>
            )}
          </section>
          <NdaPanel nda={live.nda} meId={me.id} failure={fail("nda")} />
          <UploadForm failure={fail("upload")} />
          {mySide !== "broker" ? <InviteForm failure={fail("invite")} /> : null}
          <p className="muted room__me">
            <SideBadge side={mySide} /> {me.name}
          </p>
        </aside>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { openSocket } from "~/components/site-socket.ts";

/**
 * Keeps an offer thread page current for whichever side has it open: watches the thread over the
 * site's socket (`offer:watch`, granted to its parties only) and reloads the page's data when the
 * other side answers (`offer:changed`) and after a reconnect. Without JavaScript the page is
 * complete; it just does not move on its own. `live` is true once the server accepted the watch.
 */
export function useOfferLive(offerId: string): { live: boolean } {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const [live, setLive] = useState(false);

  useEffect(() => {
    return openSocket((socket) => {
      let connectedBefore = false;
      socket.on("connect", () => {
        socket.emit("offer:watch", { offerId }, (answer) => setLive(answer.ok));
        if (connectedBefore) revalidate.current();
        connectedBefore = true;
      });
      socket.on("disconnect", () => setLive(false));
      // The socket watches this thread only.
      socket.on("offer:changed", () => revalidate.current());
    });
  }, [offerId]);

  return { live };
}

/**
 * The room's actions and the `?done=` notice each leaves after its redirect. Shared by the action
 * (server) and the page (browser too), so it must not live in a .server module: those are empty
 * in the browser bundle.
 */
export const ROOM_INTENTS = ["send", "propose", "accept", "reject", "counter", "withdraw", "nda", "upload", "invite"] as const;
export type RoomIntent = (typeof ROOM_INTENTS)[number];

export const DONE: Record<RoomIntent, string> = {
  send: "sent",
  propose: "proposed",
  accept: "accepted",
  reject: "rejected",
  counter: "countered",
  withdraw: "withdrawn",
  nda: "nda",
  upload: "uploaded",
  invite: "invited",
};
export const ROOM_DONE: readonly string[] = Object.values(DONE);

/** Lengths of an offer's free text, shared by the offer model, its input schemas and its forms. */
export const OFFER_MESSAGE_MAX = 1000;
export const OFFER_REASON_MAX = 1000;

import { createContext, useContext } from "react";

/**
 * The request's CSP nonce (server/security-headers.ts), given by entry.server.tsx to the inline
 * scripts Remix writes (<Scripts>, <ScrollRestoration>). In the browser it is "": the scripts are
 * already in the page, and browsers hide a nonce from the DOM anyway.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}

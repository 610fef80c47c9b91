import { DomainError } from "~/utils/errors.ts";

/** A refused auction action: its HTTP status, a machine code for the API, the message's parameters and the field it is about. */
export class AuctionError extends DomainError {
  override readonly code: string;
  constructor(
    override readonly status: 400 | 403 | 404 | 409,
    code: string,
    message: string,
    params: Record<string, string | number> = {},
    field: string | null = null,
  ) {
    super(message, { params, field, code });
    this.code = code;
  }
}

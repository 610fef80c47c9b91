import type { DepositStatus } from "~/models/auction.server.ts";

/** A bidder's registration as they see it: their number, when they accepted the agreement, their deposit. */
export interface RegistrationView {
  number: number;
  agreementAcceptedAt: string;
  deposit: { status: DepositStatus; amount: number; paymentId: string | null };
}

export function registrationView(r: {
  number: number;
  agreementAcceptedAt: Date;
  deposit?: { status?: string | null; amount?: number | null; payment?: unknown } | null;
}): RegistrationView {
  return {
    number: r.number,
    agreementAcceptedAt: new Date(r.agreementAcceptedAt).toISOString(),
    deposit: {
      status: (r.deposit?.status ?? "none") as DepositStatus,
      amount: r.deposit?.amount ?? 0,
      paymentId: r.deposit?.payment ? String(r.deposit.payment) : null,
    },
  };
}

import type { RegistrationView } from "~/services/registration/queries.server.ts";
import { fenToYuan } from "~/utils/money.ts";

/** A registration as the API shows it (issue 15, point 10): amounts in yuan, parties with their region codes. */
export function apiRegistration(r: RegistrationView) {
  return {
    id: r.id,
    status: r.status,
    source: r.source,
    number: r.number,
    year: r.year,
    registeredAt: r.registeredAt,
    point: r.point,
    contract: {
      deal: r.dealId,
      id: r.contractId,
      hash: r.contractHash,
      projectName: r.projectName,
      category: r.category,
      subCategory: r.subCategory,
      technicalField: r.technicalField,
      ipType: r.ipType,
      planSource: r.planSource,
      signedOn: r.signedOn,
      validFrom: r.validFrom,
      validTo: r.validTo,
      paymentMethod: r.paymentMethod,
    },
    contractAmount: fenToYuan(r.contractAmount),
    technologyAmount: fenToYuan(r.technologyAmount),
    nonTechItems: r.nonTechItems.map((i) => ({ label: i.label, amount: fenToYuan(i.amount) })),
    seller: r.seller,
    buyer: r.buyer,
    applicant: { ...r.applicant, side: r.applicantSide },
    review: {
      submittedAt: r.submittedAt,
      clockFrom: r.clockFrom,
      dueOn: r.dueOn,
      workingDaysLeft: r.daysLeft,
      overdue: r.overdue,
      large: r.large,
      disputed: r.disputed,
      corrections: r.corrections,
      refusal: r.refusal,
      registrar: r.registrar,
    },
    history: r.history,
  };
}

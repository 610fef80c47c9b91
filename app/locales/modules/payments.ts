/** Strings of the payments work; same keys in both languages (merged into `common` by app/utils/i18n.ts). */
const zh = {
  payments: {
    deposit: "保证金",
    purposes: { "auction-deposit": "竞买保证金" },
    /** Deposit / payment statuses (Payment.status and AuctionRegistration.deposit.status). */
    status: {
      none: "未缴纳",
      pending: "待支付",
      held: "已冻结",
      captured: "已扣收",
      released: "已退还",
      failed: "未成功",
    },
    statusHelp: {
      pending: "请在支付页面完成付款；完成前不能出价。",
      held: "保证金已冻结在您的银行卡上，尚未扣款。",
      captured: "保证金已扣收，将抵作成交价款。",
      released: "保证金已解冻退还，款项将按银行规则回到您的卡上。",
      failed: "保证金未能冻结，可重新缴纳。",
    },
    gatewayUnavailable: "支付通道暂时不可用，请稍后重试。",
    depositAlreadyHeld: "保证金已冻结，无需重复缴纳。",
    notHeld: "保证金未处于冻结状态，无法扣收。",
    alreadyCaptured: "保证金已扣收，不能再退还。",
    captureAmountInvalid: "扣收金额须大于 0 且不超过冻结金额。",
    pay: "缴纳保证金",
    payAgain: "重新缴纳",
  },
};

const en: typeof zh = {
  payments: {
    deposit: "Deposit",
    purposes: { "auction-deposit": "Auction deposit" },
    status: {
      none: "Not paid",
      pending: "Awaiting payment",
      held: "Held",
      captured: "Captured",
      released: "Released",
      failed: "Not completed",
    },
    statusHelp: {
      pending: "Finish the payment on the payment page; you can bid once it is held.",
      held: "The deposit is held on your card, not charged.",
      captured: "The deposit was captured and counts toward the price.",
      released: "The deposit was released; your bank returns it to your card.",
      failed: "The deposit could not be held. You can pay it again.",
    },
    gatewayUnavailable: "The payment service is unavailable right now. Please try again later.",
    depositAlreadyHeld: "Your deposit is already held.",
    notHeld: "The deposit is not held, so it cannot be captured.",
    alreadyCaptured: "The deposit was captured and can no longer be released.",
    captureAmountInvalid: "The amount to capture must be more than 0 and at most the amount held.",
    pay: "Pay the deposit",
    payAgain: "Pay again",
  },
};

export default { "zh-CN": zh, en };

/**
 * Strings of per-option prices (分项挂牌价) and non-exclusive licences granted many times (issue 13,
 * point 5); same keys in both languages (merged into `common` by app/utils/i18n.ts).
 */
const zh = {
  prices: {
    /** One price option: a mode, a licence by its kind. */
    options: {
      transfer: "转让",
      license: { exclusive: "独占许可", sole: "排他许可", "non-exclusive": "普通许可" },
      equity: "作价入股",
      cooperation: "合作开发",
    },
    negotiable: "面议",
    from: "挂牌价 {{amount}} 起",
    listTitle: "分项价格",
    licensees: "已授予 {{count}} 项普通许可，仍可继续许可",
    form: {
      legend: "分项挂牌价（元）",
      hint: "选择“挂牌价”时，按已勾选的交易方式和许可方式分别填写，可写“30万”；留空的为面议（买方可在洽谈室商谈）。普通许可可多次授予：成交后成果仍在交易中；转让、独占或排他许可成交后即下架。",
      placeholder: "面议",
    },
    deal: {
      nonExclusive: "普通许可：该成果仍在交易中，卖方可继续许可他人实施。",
    },
    buy: {
      choose: "选择购买方式",
      chooseThis: "选择",
      chosen: "已选",
      nonExclusiveNote: "普通许可：您取得实施许可，卖方仍可许可他人实施，该成果继续挂牌。",
      bindingNonExclusive: "确认购买即表示您同意按所选交易方式与卖方成交；普通许可成交后该成果仍在交易中，卖方可继续许可他人。",
    },
    errors: {
      positive: "价格应大于 0",
      onlyFixed: "只有挂牌价可按交易方式分别定价；面议或竞价请清空此项",
      optionNotOffered: "未勾选该交易方式或许可方式：请勾选，或清空此价格",
      modeNotOffered: "该成果未提供此交易方式",
      exclusivity: "无效的许可方式",
      exclusivityNotOffered: "该成果未提供此许可方式",
      duplicate: "同一方式重复定价",
    },
  },
  trading: {
    licenseesExist: "该成果已授予普通许可，不能再授予独占或排他许可",
    licenceHeld: "您已取得该成果的普通许可",
    optionNotPriced: "该方式没有挂牌价（面议），请到洽谈室商谈",
  },
  rooms: {
    errors: {
      licenceMade: "本洽谈室的普通许可已成交，不再接受报价卡；成交条款以成交记录为准",
    },
  },
  apiErrors: {
    pricesList: "prices 应为列表：[{ transactionMode, licenseExclusivity, amount }]",
  },
};

const en: typeof zh = {
  prices: {
    options: {
      transfer: "Transfer",
      license: { exclusive: "Exclusive licence", sole: "Sole licence", "non-exclusive": "Non-exclusive licence" },
      equity: "Equity",
      cooperation: "Joint development",
    },
    negotiable: "Negotiable",
    from: "Listed from {{amount}}",
    listTitle: "Prices",
    licensees: "{{count}} non-exclusive licence(s) granted; more can be",
    form: {
      legend: "Fixed prices per mode (yuan)",
      hint: "With a fixed price, give a price for each mode and licence kind you ticked (“30万” allowed); a blank one is negotiable (buyers talk to you in a deal room). A non-exclusive licence can be granted many times: the listing stays on the market; a transfer, an exclusive or a sole licence takes it off.",
      placeholder: "Negotiable",
    },
    deal: {
      nonExclusive: "Non-exclusive licence: the achievement stays on offer, and the seller may license others too.",
    },
    buy: {
      choose: "Choose what you buy",
      chooseThis: "Choose",
      chosen: "Chosen",
      nonExclusiveNote: "Non-exclusive licence: you may use it, the seller may license others too, and the listing stays on the market.",
      bindingNonExclusive:
        "By confirming you agree to a deal with the seller in the chosen transaction mode; after a non-exclusive licence the achievement stays on the market and the seller may license others.",
    },
    errors: {
      positive: "The price must be above 0",
      onlyFixed: "Only a fixed price is given per mode; clear this for a negotiable price or an auction",
      optionNotOffered: "This mode or licence kind is not ticked: tick it or clear this price",
      modeNotOffered: "The achievement does not offer this mode",
      exclusivity: "Unknown licence kind",
      exclusivityNotOffered: "The achievement does not offer this licence kind",
      duplicate: "The same mode is priced twice",
    },
  },
  trading: {
    licenseesExist: "Non-exclusive licences have been granted: an exclusive or sole licence can no longer be",
    licenceHeld: "You already hold a non-exclusive licence of this achievement",
    optionNotPriced: "This mode has no fixed price (negotiable): talk to the seller in a deal room",
  },
  rooms: {
    errors: {
      licenceMade:
        "The non-exclusive licence of this deal room has been agreed: the room takes no more offer cards; the deal's record holds the terms",
    },
  },
  apiErrors: {
    pricesList: "prices must be a list: [{ transactionMode, licenseExclusivity, amount }]",
  },
};

export default { "zh-CN": zh, en };

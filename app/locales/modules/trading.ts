/** Strings of the trading work; same keys in both languages (merged into `common` by app/utils/i18n.ts). */
const zh = {};

const en: typeof zh = {};

export default { "zh-CN": zh, en };

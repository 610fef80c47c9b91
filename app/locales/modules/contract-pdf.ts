/** The contract's PDF (issue 14, point 3): its link and the notice when the server lacks the CJK font. */
const zh = {
  contractPdf: {
    link: "下载 PDF",
    linkDraft: "下载 PDF（草稿）",
    fontMissing:
      "PDF 暂不可用：服务器缺少中文字体 Noto Sans CJK（Debian 软件包 fonts-noto-cjk），或 CJK_FONT_PATH 指向的文件不存在。请联系管理员。",
  },
};

const en: typeof zh = {
  contractPdf: {
    link: "Download PDF",
    linkDraft: "Download PDF (draft)",
    fontMissing:
      "The PDF is unavailable: the server lacks the CJK font Noto Sans CJK (Debian package fonts-noto-cjk), or CJK_FONT_PATH points at a missing file. Please tell an administrator.",
  },
};

export default { "zh-CN": zh, en };

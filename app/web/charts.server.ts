import * as echarts from "echarts";

/**
 * Charts drawn on the server as SVG with Apache ECharts (`renderToSVGString`), inlined in the page,
 * so they show without JavaScript (issue 15, point 5; docs/decisions/027-county-dashboard.md).
 *
 * The site's Content-Security-Policy (server/security-headers.ts) allows no inline styles
 * without a nonce, so what ECharts writes as CSS is rewritten before it reaches the page: the
 * `style="font-size:12px;…"` attributes become the SVG presentation attributes of the same
 * names, and the hover <style> block is dropped (there is no hover without its script). The
 * fixed width and height go too: the viewBox scales the chart to the column, down to a phone.
 */
const PALETTE = ["#2f6f4f", "#d08c2c", "#4f6fae", "#a34b4b", "#6b5ca5", "#3d8c95"];
const FONT = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

export function svgForPage(svg: string, label: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/ style="([^"]*)"/g, (_, css: string) =>
      // The attribute's text is escaped (a quoted font name is &quot;…&quot;): split the CSS once it is read back.
      css
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, "&")
        .split(";")
        .map((decl) => {
          const at = decl.indexOf(":");
          return at < 0 ? ["", ""] : [decl.slice(0, at).trim(), decl.slice(at + 1).trim()];
        })
        .filter(([prop, value]) => prop && value && /^[a-z-]+$/.test(prop))
        .map(([prop, value]) => ` ${prop}="${escapeAttribute(value!)}"`)
        .join(""),
    )
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, "")
    .replace(/ class="zr\d+-cls-\d+"/g, "")
    .replace(/^<svg width="\d+" height="\d+"/, `<svg role="img" aria-label="${escapeAttribute(label)}" class="chart-svg"`);
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * Drawn charts by their option, size and label: drawing takes ECharts tens of milliseconds a
 * chart, and the dashboard's figures change only when a contract is registered, so most views
 * draw nothing (docs/benchmarks.md, dashboard). The key is everything the drawing depends on, so
 * an entry is never stale; the oldest go first.
 */
const drawn = new Map<string, string>();
const DRAWN_MAX = 200;

function render(option: echarts.EChartsCoreOption, width: number, height: number, label: string): string {
  const key = JSON.stringify([option, width, height, label]);
  const hit = drawn.get(key);
  if (hit !== undefined) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: FONT }, ...option });
    const svg = svgForPage(chart.renderToSVGString(), label);
    drawn.set(key, svg);
    if (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value!);
    return svg;
  } finally {
    chart.dispose();
  }
}

/** Fen as 万元 with two decimals, for the bars (the tables beside give the exact yuan). */
const wan = (fen: number) => Math.round(fen / 10_000) / 100;

/**
 * Drawing sizes: about a phone's width, so a 12 px label stays about 12 px on a 390 px screen
 * (the SVG scales with its column; statistics.css caps it on wide screens).
 */
const WIDTH = 400;

export interface SeriesPoint {
  label: string;
  contractFen: number;
  technologyFen: number;
}

/** Vertical bars: 成交额 and 技术交易额 per category (the months). */
export function amountColumns(points: SeriesPoint[], names: { contract: string; technology: string; unit: string }, label: string): string {
  return render(
    {
      grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
      legend: { top: 4, data: [names.contract, names.technology], textStyle: { fontSize: 12 } },
      xAxis: { type: "category", data: points.map((p) => p.label), axisLabel: { interval: 0, fontSize: 10 } },
      yAxis: { type: "value", name: names.unit, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 10 } },
      series: [
        { name: names.contract, type: "bar", data: points.map((p) => wan(p.contractFen)) },
        { name: names.technology, type: "bar", data: points.map((p) => wan(p.technologyFen)) },
      ],
    },
    WIDTH,
    260,
    label,
  );
}

/** Horizontal bars of 技术交易额 (万元), longest first, for a breakdown. */
export function amountBars(points: SeriesPoint[], names: { technology: string; unit: string }, label: string): string {
  const shown = [...points].reverse();
  return render(
    {
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: names.unit, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 10 } },
      yAxis: { type: "category", data: shown.map((p) => p.label), axisLabel: { fontSize: 12 } },
      series: [
        {
          name: names.technology,
          type: "bar",
          data: shown.map((p) => wan(p.technologyFen)),
          label: { show: true, position: "right", fontSize: 11 },
        },
      ],
    },
    WIDTH,
    Math.max(120, 40 + shown.length * 30),
    label,
  );
}

/** The year's progress toward the target as a gauge, in percent (may run past 100). */
export function targetGauge(progressBps: number, caption: string, label: string): string {
  const percent = Math.floor(progressBps / 10) / 10;
  return render(
    {
      series: [
        {
          type: "gauge",
          center: ["50%", "66%"],
          radius: "95%",
          startAngle: 200,
          endAngle: -20,
          min: 0,
          max: Math.max(100, Math.ceil(percent / 10) * 10),
          progress: { show: true, width: 18 },
          axisLine: { lineStyle: { width: 18 } },
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { show: false },
          pointer: { show: false },
          anchor: { show: false },
          title: { offsetCenter: [0, "30%"], fontSize: 13 },
          detail: { valueAnimation: false, offsetCenter: [0, "-8%"], fontSize: 30, formatter: "{value}%" },
          data: [{ value: percent, name: caption }],
        },
      ],
    },
    320,
    180,
    label,
  );
}

/**
 * The platform's funnel as bars of counts, first stage on top. (A funnel shape would claim each
 * stage narrows the one before; stages counted by their own dates in a year need not.)
 */
export function funnelBars(stages: { label: string; count: number }[], label: string): string {
  const shown = [...stages].reverse();
  return render(
    {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: "category", data: shown.map((s) => s.label), axisLabel: { fontSize: 12 } },
      series: [{ type: "bar", data: shown.map((s) => s.count), label: { show: true, position: "right", fontSize: 11 } }],
    },
    WIDTH,
    Math.max(120, 24 + shown.length * 32),
    label,
  );
}

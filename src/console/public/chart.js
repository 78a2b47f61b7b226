/**
 * A stacked bar chart of referrals by status, one bar per day with a change,
 * drawn as SVG by hand: no library, nothing fetched, nothing inline for the
 * Content-Security-Policy to refuse (colours come from console.css classes).
 */
import { dayLabel, h } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
export const SERIES = /** @type {const} */ (['approved', 'pending', 'voided', 'other']);

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {...(Element | string)} children
 */
function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/**
 * @typedef {{ day: string, total: number, pending: number, approved: number, voided: number, other: number }} ReferralDay
 * @param {ReferralDay[]} days
 * @param {string} title what the chart shows, for screen readers
 */
export function referralsChart(days, title) {
  const width = 420;
  const height = 180;
  const margin = { top: 12, right: 12, bottom: 34, left: 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const max = Math.max(1, ...days.map((d) => d.total));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? max;
  const y = (/** @type {number} */ value) => margin.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(2, Math.min(48, slot * 0.7));

  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
    preserveAspectRatio: 'xMidYMid meet',
  });
  chart.append(svg('title', {}, title));
  for (const tick of ticks) {
    chart.append(
      svg('line', {
        x1: margin.left,
        x2: width - margin.right,
        y1: y(tick),
        y2: y(tick),
        class: 'grid',
      }),
      svg(
        'text',
        { x: margin.left - 6, y: y(tick) + 4, class: 'axis', 'text-anchor': 'end' },
        String(tick),
      ),
    );
  }
  const labelEvery = Math.ceil(days.length / 6);
  days.forEach((day, index) => {
    const x = margin.left + slot * index + (slot - barWidth) / 2;
    const bar = svg('g', { class: 'bar' });
    bar.append(
      svg(
        'title',
        {},
        `${dayLabel(day.day)} (end of day, UTC): ${SERIES.map((s) => `${day[s]} ${s}`).join(', ')}`,
      ),
    );
    let base = 0;
    for (const series of SERIES) {
      const value = day[series];
      if (value === 0) continue;
      bar.append(
        svg('rect', {
          x,
          width: barWidth,
          y: y(base + value),
          height: Math.max(0.5, y(base) - y(base + value)),
          class: `series-${series}`,
        }),
      );
      base += value;
    }
    chart.append(bar);
    if (index % labelEvery === 0 || index === days.length - 1) {
      chart.append(
        svg(
          'text',
          {
            x: x + barWidth / 2,
            y: height - margin.bottom + 16,
            class: 'axis',
            'text-anchor': 'middle',
          },
          dayLabel(day.day),
        ),
      );
    }
  });
  chart.append(
    svg('line', {
      x1: margin.left,
      x2: width - margin.right,
      y1: y(0),
      y2: y(0),
      class: 'baseline',
    }),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    SERIES.map((series) => h('li', null, h('span', { class: `swatch series-${series}` }), series)),
  );
  return h('figure', { class: 'chart-figure' }, chart, legend);
}

/** @param {number} max */
function niceTicks(max) {
  const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
  const step = steps.find((s) => max / s <= 5) ?? Math.pow(10, Math.ceil(Math.log10(max / 5)));
  const ticks = [];
  for (let value = 0; value < max + step; value += step) ticks.push(value);
  return ticks;
}

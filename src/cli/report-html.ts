import type { AnalyzeReport } from './analyze.js';
import { count } from './format.js';
import { WEEKDAYS, groupMonths } from './report-text.js';

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, no external
 * request. Every string from the repository (names, emails, paths) is escaped, so a hostile
 * author name shows as text.
 *
 * @example writeFileSync(path, renderHtmlReport(report, new Date()));
 */
export function renderHtmlReport(report: AnalyzeReport, at: Date): string {
  const title = `metre report: ${report.repository}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${esc(report.source)} · ${esc(report.defaultBranch ?? 'no default branch')} at
<code>${esc(report.head?.slice(0, 12) ?? 'no commit')}</code> · data version
${esc(report.dataVersion)} · written ${esc(at.toISOString().slice(0, 19).replace('T', ' '))} UTC</p>
${keyNumbers(report)}
${topContributors(report)}
${commitsChart(report)}
${punchCard(report)}
<p class="meta">Each number is a metre metric; <code>metre metrics</code> says exactly what it
counts.</p>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:960px;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.8em}
.meta{color:#666}
dl{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:.3em 1.2em}
dt{color:#666}dd{margin:0;font-weight:600}
table{border-collapse:collapse}th,td{padding:.2em .8em;text-align:left}
th{border-bottom:1px solid #ccc}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg text{font:11px system-ui,sans-serif;fill:#444}`;

function keyNumbers(r: AnalyzeReport): string {
  const factor = r.absenceFactor;
  const who = factor.people.map((p) => `${p.name} (${percent(p.share)})`).join(', ');
  const missing =
    r.lines.commitsWithoutLines > 0
      ? ` (${count(r.lines.commitsWithoutLines)} commits not counted yet)`
      : '';
  const items: [string, string][] = [
    ['Commits', `${count(r.commits)} (${count(r.merges)} merge${r.merges === 1 ? '' : 's'})`],
    ['People', count(r.people)],
    ['First commit', r.firstCommit ?? '-'],
    ['Last commit', r.lastCommit ?? '-'],
    ['Lines added', `+${count(r.lines.added)}${missing}`],
    ['Lines deleted', `-${count(r.lines.deleted)}`],
    ['Contributor absence factor', factor.value === null ? '-' : `${factor.value}: ${who}`],
  ];
  const rows = items.map(([label, value]) => `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>`);
  return `<dl>\n${rows.join('\n')}\n</dl>`;
}

function topContributors(r: AnalyzeReport): string {
  if (r.topContributors.length === 0) return '';
  const rows = r.topContributors.map(
    (p) =>
      `<tr><td class="n">${p.rank}</td><td>${esc(p.name)}</td><td>${esc(p.email)}</td>` +
      `<td class="n">${count(p.commits)}</td><td class="n">${percent(p.share)}</td>` +
      `<td class="n">+${count(p.added)} / -${count(p.deleted)}</td></tr>`,
  );
  return `<h2>Top contributors</h2>
<table><thead><tr><th>#</th><th>Name</th><th>Email</th><th>Commits</th><th>Share</th><th>Lines</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

/** Vertical bars, one per month (or quarter, year… when there are many), as inline SVG. */
function commitsChart(r: AnalyzeReport): string {
  if (r.commits === 0) return '<p>No commits on the default branch yet.</p>';
  const { unit, buckets } = groupMonths(r.commitsPerMonth);
  const width = 900;
  const height = 200;
  const top = 16;
  const bottom = 40;
  const slot = Math.min(60, width / buckets.length);
  const max = Math.max(1, ...buckets.map((b) => b.commits));
  const bars = buckets.map((b, i) => {
    const h = Math.round((b.commits / max) * (height - top - bottom));
    const x = (i * slot + slot * 0.1).toFixed(1);
    const y = height - bottom - h;
    const labelled = buckets.length <= 24 || i % Math.ceil(buckets.length / 24) === 0;
    const text = labelled
      ? `<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - bottom + 14}" ` +
        `text-anchor="middle">${esc(b.label)}</text>`
      : '';
    return (
      `<rect x="${x}" y="${y}" width="${(slot * 0.8).toFixed(1)}" height="${h}" fill="#3b7dd8">` +
      `<title>${esc(b.label)}: ${count(b.commits)} commits</title></rect>${text}`
    );
  });
  return `<h2>Commits per ${esc(unit)} (UTC)</h2>
<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="commits per ${esc(unit)}">
<text x="0" y="11">${count(max)}</text>
${bars.join('\n')}
</svg>`;
}

/** The weekday × hour grid as SVG squares, darker for busier hours. */
function punchCard(r: AnalyzeReport): string {
  const max = Math.max(1, ...r.punchCard.flat());
  const cell = 30;
  const left = 40;
  const cells = r.punchCard.flatMap((row, day) =>
    row.map((value, hour) => {
      const opacity = value === 0 ? 0.04 : 0.15 + 0.85 * (value / max);
      return (
        `<rect x="${left + hour * cell}" y="${day * cell}" width="${cell - 2}" ` +
        `height="${cell - 2}" fill="#3b7dd8" fill-opacity="${opacity.toFixed(2)}">` +
        `<title>${WEEKDAYS[day] ?? ''} ${hour}h: ${count(value)} commits</title></rect>`
      );
    }),
  );
  const days = WEEKDAYS.map((d, i) => `<text x="0" y="${i * cell + 19}">${d}</text>`);
  const hours = Array.from(
    { length: 24 },
    (_, h) =>
      `<text x="${left + h * cell + 14}" y="${7 * cell + 14}" text-anchor="middle">${h}</text>`,
  );
  return `<h2>Punch card: commits per weekday and hour (author's own clock)</h2>
<svg viewBox="0 0 ${left + 24 * cell} ${7 * cell + 20}" width="100%" role="img" aria-label="punch card">
${[...cells, ...days, ...hours].join('\n')}
</svg>`;
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values. */
export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

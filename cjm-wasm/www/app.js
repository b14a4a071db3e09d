// The cjm checker page: plain ES modules, no framework, no bundler. It imports the web
// build of the package (pkg/web, made by scripts/build.sh); event logs are analysed in a
// module worker (worker.js) so the page stays responsive.
import init, { templates, template, validate, loadJourney } from '../pkg/web/cjm_wasm.js';

const $ = (id) => document.getElementById(id);
const select = $('template');
const description = $('template-description');
const editor = $('editor');
const status = $('status');
const problemList = $('problems');
const summaryTitle = $('summary-title');
const summaryTable = $('summary');
const summaryCounts = $('summary-counts');
const journeyName = $('journey-name');
const stageFields = $('stage-fields');
const touchpointFields = $('touchpoint-fields');
const logStatus = $('log-status');

let infos = [];
/** Measured data of the last event log, for the journey it was bound to. */
let measured = null;
/** The last chosen CSV file, analysed again when the map changes. */
let lastFile = null;
let lastMapSvg = '';
let requestId = 0;

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
const today = () => new Date().toISOString().slice(0, 10);

// ---------------------------------------------------------------- the names form

function field(path, labelText, value) {
  const id = `f-${path.replace(/[^a-z0-9]+/gi, '-')}`;
  const wrap = el('div', undefined, { class: 'field' });
  const input = el('input', undefined, {
    id, type: 'text', autocomplete: 'off', 'data-path': path, 'aria-describedby': `${id}-error`,
  });
  input.value = value ?? '';
  wrap.append(el('label', labelText, { for: id }), input,
    el('p', undefined, { class: 'field-error', id: `${id}-error`, 'data-for': path, 'aria-live': 'polite' }));
  return wrap;
}

/** Rebuilds the name fields from a document (when the JSON or the template changes). */
function buildForm(doc) {
  journeyName.value = doc?.name ?? '';
  stageFields.querySelectorAll('.field').forEach((n) => n.remove());
  touchpointFields.replaceChildren();
  const stages = Array.isArray(doc?.stages) ? doc.stages : [];
  const touchpoints = Array.isArray(doc?.touchpoints) ? doc.touchpoints : [];
  stages.forEach((s, i) => stageFields.append(field(`stages[${i}].name`, `Stage ${i + 1} (${s?.id ?? '?'})`, s?.name)));
  for (const [i, s] of stages.entries()) {
    const group = el('fieldset');
    group.append(el('legend', s?.name || s?.id || `Stage ${i + 1}`));
    touchpoints.forEach((t, j) => {
      if (t?.stage === s?.id) group.append(field(`touchpoints[${j}].name`, `Touchpoint ${t?.id ?? j}`, t?.name));
    });
    if (group.children.length > 1) touchpointFields.append(group);
  }
  $('touchpoint-count').textContent = String(touchpoints.length);
}

function setAtPath(doc, path, value) {
  const m = /^(?:(\w+)\[(\d+)\]\.)?(\w+)$/.exec(path);
  if (!m) return;
  const target = m[1] ? doc[m[1]]?.[Number(m[2])] : doc;
  if (target && typeof target === 'object') target[m[3]] = value;
}

/** Shows each problem whose path is a name field next to that field. */
function showFieldProblems(problems) {
  for (const p of document.querySelectorAll('.field-error')) p.textContent = '';
  for (const input of document.querySelectorAll('#names input')) input.removeAttribute('aria-invalid');
  for (const problem of problems) {
    const input = document.querySelector(`#names input[data-path="${CSS.escape(problem.path)}"]`);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const note = $(input.getAttribute('aria-describedby'));
    note.textContent = `${note.textContent ? `${note.textContent}; ` : ''}${problem.message} (${problem.code})`;
    // Open the touchpoint list when a problem is in it.
    if (problem.path.startsWith('touchpoints')) $('touchpoint-details').open = true;
  }
}

// ---------------------------------------------------------------- results

function showProblems(result) {
  problemList.replaceChildren();
  showFieldProblems(result.problems);
  if (result.valid) {
    status.textContent = 'Valid: the document passes every rule.';
    status.className = 'valid';
    return;
  }
  const n = result.problems.length;
  status.textContent = `Invalid: ${n} problem${n === 1 ? '' : 's'}.`;
  status.className = 'invalid';
  for (const p of result.problems) {
    const li = el('li', undefined, { 'data-code': p.code, 'data-path': p.path });
    li.append(el('code', p.code), ' at ', el('code', p.path === '' ? '(document)' : p.path), `: ${p.message}`);
    problemList.append(li);
  }
}

function showSummary(journey) {
  const tbody = summaryTable.tBodies[0];
  tbody.replaceChildren();
  if (!journey) {
    summaryTitle.textContent = 'No summary: fix the problems first.';
    summaryTable.hidden = true;
    summaryCounts.textContent = '';
    return;
  }
  const s = journey.summary();
  summaryTitle.textContent = `${s.name} (${s.id}), ${s.state === 'to_be' ? 'to-be' : 'as-is'}`;
  for (const stage of s.stages) {
    const tr = el('tr', undefined, { 'data-stage': stage.id });
    tr.append(el('th', stage.name, { scope: 'row' }), el('td', String(stage.touchpoints), { class: 'num' }),
      el('td', String(stage.channels), { class: 'num' }), el('td', String(stage.pain_points), { class: 'num' }));
    tbody.append(tr);
  }
  summaryTable.hidden = false;
  summaryCounts.textContent =
    `${s.personas} personas, ${s.channels} channels, ${s.touchpoints} touchpoints, ` +
    `${s.pain_points} pain points, ${s.opportunities} opportunities, ${s.kpis} KPIs.`;
}

const fmt = (x) => (typeof x === 'number' ? (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)) : '—');

function explanation(score) {
  const details = el('details');
  const n = score.components.length;
  details.append(el('summary', `Explanation (${n} component${n === 1 ? '' : 's'})`));
  const list = el('ul', undefined, { class: 'components' });
  for (const c of score.components) {
    list.append(el('li', `${c.name}: raw ${fmt(c.raw)} → ${fmt(c.normalised)} × share ${fmt(c.share)} = ${fmt(c.contribution)}`));
  }
  if (score.missing.length) list.append(el('li', `no data: ${score.missing.join(', ')}`, { class: 'hint' }));
  details.append(list);
  return details;
}

function showHealth(journey, stageNames) {
  const table = $('health');
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  if (!journey) {
    $('health-journey').textContent = 'No scores: fix the problems first.';
    $('health-source').textContent = '';
    table.hidden = true;
    return;
  }
  const inputs = measured?.journeyId === journey.id ? measured.health : null;
  const report = journey.health(null, inputs);
  const j = report.journey;
  const line = $('health-journey');
  line.replaceChildren(el('strong', `Journey health ${j.score === null ? '—' : j.score.toFixed(0)}`),
    ` (${j.band ?? 'no data'})`);
  line.append(explanation(j));
  $('health-source').textContent = inputs
    ? 'Scored with the measured reach and traffic of the event log.'
    : 'Scored from the map alone; load an event log to weigh in measured reach.';
  for (const s of report.stages) {
    const tr = el('tr', undefined, { 'data-stage': s.id });
    const why = el('td');
    why.append(explanation(s));
    tr.append(el('th', stageNames.get(s.id) ?? s.id, { scope: 'row' }),
      el('td', s.score === null ? '—' : `${s.score.toFixed(0)} ${s.band ?? ''}`, { class: 'num' }), why);
    tbody.append(tr);
  }
  table.hidden = false;
}

function showInsights(journey) {
  const list = $('insights');
  list.replaceChildren();
  if (!journey) {
    $('insights-status').textContent = 'No insights: fix the problems first.';
    return;
  }
  const inputs = measured?.journeyId === journey.id ? measured.insights : null;
  const report = journey.insights({ as_of: today() }, inputs);
  $('insights-status').textContent = `${report.insights.length} findings as of ${today()}` +
    (report.not_checked.length ? `; not checked: ${report.not_checked.join('; ')}.` : '.');
  for (const i of report.insights) {
    const li = el('li', undefined, { 'data-code': i.code, class: `sev-${i.severity}` });
    li.append(el('span', i.severity, { class: 'badge' }), ' ', el('code', i.code), ` ${i.message} `,
      el('span', `(${i.path || 'document'})`, { class: 'hint' }));
    list.append(li);
  }
}

function showPictures(journey) {
  const map = $('map');
  const emotion = $('emotion');
  if (!journey) {
    map.replaceChildren(el('p', 'No map: fix the problems first.', { class: 'hint' }));
    emotion.replaceChildren();
    lastMapSvg = '';
    return;
  }
  // The core's SVG is escaped, deterministic and script-free.
  lastMapSvg = journey.mapSvg();
  map.innerHTML = lastMapSvg;
  emotion.innerHTML = journey.emotionSvg();
}

function check() {
  const result = validate(editor.value);
  showProblems(result);
  const journey = result.valid ? loadJourney(editor.value) : null;
  const stageNames = new Map((journey?.toObject().stages ?? []).map((s) => [s.id, s.name]));
  showSummary(journey);
  showHealth(journey, stageNames);
  showInsights(journey);
  showPictures(journey);
  $('download-json').disabled = !result.valid;
  $('download-svg').disabled = !result.valid;
  journey?.free();
  return result.valid;
}

function loadTemplate(name) {
  const journey = template(name);
  editor.value = journey.toJson(true);
  journey.free();
  const info = infos.find((t) => t.name === name);
  description.textContent = info ? info.description : '';
  measured = null;
  buildForm(JSON.parse(editor.value));
  if (check() && lastFile) analyseFile(lastFile);
}

// ---------------------------------------------------------------- event log (worker)

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const pending = new Map();
worker.onmessage = ({ data }) => {
  const resolve = pending.get(data.id);
  pending.delete(data.id);
  resolve?.(data);
};
worker.onerror = (e) => {
  logStatus.textContent = `The worker failed: ${e.message}`;
  logStatus.className = 'invalid';
};

function ask(message, transfer) {
  const id = ++requestId;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ ...message, id }, transfer);
  });
}

async function csvOptions(file) {
  const preset = $('csv-columns').value;
  if (preset !== 'simple') return { preset };
  const header = (await file.slice(0, 4096).text()).split(/\r?\n/, 1)[0].split(',').map((h) => h.trim());
  return {
    mapping: {
      customer: ['customer'],
      timestamp: 'timestamp',
      timestamp_format: { kind: 'iso8601' },
      event: 'event',
      channel: header.includes('channel') ? 'channel' : null,
      value: header.includes('value') ? 'value' : null,
    },
  };
}

function showLog(result, stageNames) {
  const { report, funnel, funnelSvg, flowsSvg } = result;
  // Both pictures come from the core (worker.js: log.stageFunnelSvg, log.flowsSvg).
  $('funnel-svg').innerHTML = funnelSvg;
  const tbody = $('funnel').tBodies[0];
  tbody.replaceChildren();
  for (const s of funnel.steps) {
    const tr = el('tr', undefined, { 'data-stage': s.step.stage });
    tr.append(el('th', stageNames.get(s.step.stage) ?? s.step.stage, { scope: 'row' }),
      el('td', String(s.customers), { class: 'num', 'data-field': 'customers' }),
      el('td', pct(s.conversion_from_first), { class: 'num' }), el('td', pct(s.conversion_from_previous), { class: 'num' }),
      el('td', String(s.drop_off), { class: 'num', 'data-field': 'drop_off' }), el('td', pct(s.drop_off_rate), { class: 'num' }));
    tbody.append(tr);
  }
  $('flows-svg').innerHTML = report.rows_used ? flowsSvg : '<p class="hint">No events.</p>';
  const rejected = report.rejected.map((r) => `${r.count} ${r.reason}`).join(', ');
  $('ingest-summary').textContent =
    `${report.rows_read} rows read, ${report.rows_used} used` + (rejected ? ` (rejected: ${rejected})` : '') +
    `; ${report.customers} customers, ${report.event_names} event names; ` +
    `${report.unmapped_total} events no touchpoint binds` +
    (report.unmapped_events.length ? ` (${report.unmapped_events.slice(0, 5).map((u) => u.event).join(', ')}…)` : '') + '.';
  $('log-results').hidden = false;
}

async function analyseFile(file) {
  lastFile = file;
  if (!validate(editor.value).valid) {
    logStatus.textContent = 'Fix the problems of the map first: the log is bound to it.';
    logStatus.className = 'invalid';
    return;
  }
  logStatus.textContent = `Reading ${file.name} in the worker…`;
  logStatus.className = '';
  const csv = await file.arrayBuffer();
  const options = await csvOptions(file);
  const text = editor.value;
  const reply = await ask({
    type: 'analyse', csv, journey: text, csvOptions: options, flowOptions: { steps: 4, min_share: 0.05 },
    funnelChart: { width: 560 }, flowChart: { width: 1200 },
  }, [csv]);
  if (text !== editor.value) return; // the map changed meanwhile; a newer request follows
  if (!reply.ok) {
    const e = reply.error;
    logStatus.textContent = `Could not read ${file.name}: ${e.code ? `${e.code}: ` : ''}${e.message}` +
      (e.row !== null ? ` (row ${e.row})` : '');
    logStatus.className = 'invalid';
    $('log-results').hidden = true;
    return;
  }
  const doc = JSON.parse(text);
  const stageNames = new Map(doc.stages.map((s) => [s.id, s.name]));
  showLog(reply.result, stageNames);
  // The measured inputs come from the core (log.insightInputs, log.healthInputs).
  measured = { journeyId: doc.id, health: reply.result.healthInputs, insights: reply.result.insightInputs };
  check();
  logStatus.textContent = `${file.name}: ${reply.result.report.rows_used} events of ` +
    `${reply.result.report.customers} customers, analysed in ${reply.result.millis.toFixed(0)} ms.`;
  logStatus.className = 'valid';
}

// ---------------------------------------------------------------- downloads

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', undefined, { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function documentId() {
  try {
    return String(JSON.parse(editor.value).id || 'journey');
  } catch {
    return 'journey';
  }
}

// ---------------------------------------------------------------- events

let timer;
function later(rebuildForm) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (rebuildForm) {
      try {
        buildForm(JSON.parse(editor.value));
      } catch {
        // Not JSON yet: the problem list says so; keep the form as it is.
      }
    }
    check();
  }, 150);
}

editor.addEventListener('input', () => later(true));
$('names').addEventListener('input', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.path) return;
  let doc;
  try {
    doc = JSON.parse(editor.value);
  } catch {
    status.textContent = 'The JSON does not parse: fix it before editing names.';
    status.className = 'invalid';
    return;
  }
  setAtPath(doc, input.dataset.path, input.value);
  editor.value = JSON.stringify(doc, null, 2);
  later(false);
});
$('names').addEventListener('submit', (e) => e.preventDefault());
select.addEventListener('change', () => loadTemplate(select.value));
$('download-json').addEventListener('click', () => download(`${documentId()}.json`, 'application/json', editor.value));
$('download-svg').addEventListener('click', () => lastMapSvg && download(`${documentId()}-map.svg`, 'image/svg+xml', lastMapSvg));
$('csv-file').addEventListener('change', (e) => {
  const file = e.target.files?.[0];
  if (file) analyseFile(file);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files?.[0];
  if (file) analyseFile(file);
});
$('csv-columns').addEventListener('change', () => lastFile && analyseFile(lastFile));

try {
  await init();
  infos = templates();
  select.replaceChildren(...infos.map((t) => el('option', t.title, { value: t.name })));
  select.disabled = false;
  loadTemplate(infos[0].name);
  document.body.dataset.ready = 'true';
} catch (err) {
  status.textContent = `Could not start: ${err.message}`;
  status.className = 'invalid';
  throw err;
}

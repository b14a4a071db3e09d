// The cjm checker page: plain ES modules, no framework, no bundler. It imports the web
// build of the package (pkg/web, made by scripts/build.sh).
import init, { templates, template, validate, loadJourney } from '../pkg/web/cjm_wasm.js';

const select = document.getElementById('template');
const description = document.getElementById('template-description');
const editor = document.getElementById('editor');
const status = document.getElementById('status');
const problemList = document.getElementById('problems');
const summaryTitle = document.getElementById('summary-title');
const summaryTable = document.getElementById('summary');
const summaryCounts = document.getElementById('summary-counts');

let infos = [];

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function showProblems(result) {
  problemList.replaceChildren();
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

function check() {
  const result = validate(editor.value);
  showProblems(result);
  let journey = null;
  if (result.valid) {
    journey = loadJourney(editor.value);
  }
  showSummary(journey);
  journey?.free();
}

function loadTemplate(name) {
  const journey = template(name);
  editor.value = journey.toJson(true);
  journey.free();
  const info = infos.find((t) => t.name === name);
  description.textContent = info ? info.description : '';
  check();
}

let timer;
editor.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(check, 150);
});
select.addEventListener('change', () => loadTemplate(select.value));

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

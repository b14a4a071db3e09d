// A module worker that runs cjm's event-log analytics off the main thread.
//
//   const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
//   const bytes = await file.arrayBuffer();
//   worker.postMessage({ id: 1, type: 'analyse', csv: bytes, journey: journeyJsonText,
//                        csvOptions: { preset: 'segment' } }, [bytes]);   // transferred, not copied
//   worker.onmessage = ({ data }) => { /* {id, ok: true, result} or {id, ok: false, error} */ };
//
// Request `analyse`: `csv` is the CSV file as an ArrayBuffer (pass it in the transfer list),
// `journey` the map (JSON text or a plain document), `csvOptions` the options of
// `EventLog.fromCsv` without `journey` (`preset` or `mapping`, `dedup`, `strict`,
// `assume_utc`), `funnelOptions` and `flowOptions` those of `stageFunnel` and `flows`,
// `funnelChart` and `flowChart` the `{title, width}` of the two pictures.
// The reply's `result` holds plain objects and strings only (structured-clone friendly):
// `{report, funnel, funnelSvg, flowsSvg, insightInputs, healthInputs, millis}` — the
// pictures and the measured inputs of `journey.insights` / `journey.health` are made by the
// core, so the page builds no chart and does no arithmetic. Errors come back as
// `{name, code, path, row, family, message}` (a CjmError's fields).
//
// The worker loads the web build once (`pkg/web`), on its first message; give another
// module URL as the worker's `module` parameter (`worker.js?module=/assets/cjm_wasm.js`)
// where the package is served from elsewhere.
//
// Recovery: no input makes cjm panic, but should a bug make the module trap (a
// `WebAssembly.RuntimeError`), its memory may be left inconsistent. The request then fails
// with `code: "internal_error"`, the instance is dropped, and the next request runs on a
// fresh instance (the same module imported again under another URL, so it is instantiated
// anew; the browser's cache serves the bytes).
const moduleUrl = new URL(
  new URL(import.meta.url).searchParams.get('module') ?? '../pkg/web/cjm_wasm.js',
  import.meta.url,
);
let generation = 0;
let current = null; // Promise of the initialised module

function cjm() {
  if (current === null) {
    const url = new URL(moduleUrl);
    if (generation > 0) url.searchParams.set('instance', String(generation));
    current = import(url.href).then(async (module) => {
      await module.default();
      return module;
    });
  }
  return current;
}

function errorFields(err) {
  return {
    name: err?.name ?? 'Error',
    code: err?.code ?? null,
    path: err?.path ?? null,
    row: err?.row ?? null,
    family: err?.family ?? null,
    message: String(err?.message ?? err),
  };
}

function analyse({ EventLog, loadJourney }, {
  csv, journey, csvOptions = {}, funnelOptions = null, flowOptions = null, funnelChart = null, flowChart = null,
}) {
  const started = performance.now();
  const map = loadJourney(journey);
  let log = null;
  try {
    log = EventLog.fromCsv(new Uint8Array(csv), { ...csvOptions, journey: map });
    return {
      report: log.ingestReport(),
      funnel: log.stageFunnel(null, funnelOptions),
      funnelSvg: log.stageFunnelSvg(null, funnelOptions, funnelChart),
      flowsSvg: log.flowsSvg(flowOptions, flowChart),
      insightInputs: log.insightInputs(null, funnelOptions),
      healthInputs: log.healthInputs(),
      millis: performance.now() - started,
    };
  } finally {
    log?.free();
    map.free();
  }
}

self.onmessage = async ({ data }) => {
  const { id = null, type } = data ?? {};
  try {
    const module = await cjm();
    if (type !== 'analyse') throw new Error(`unknown request type \`${type}\``);
    self.postMessage({ id, ok: true, result: analyse(module, data) });
  } catch (err) {
    const error = errorFields(err);
    if (err instanceof WebAssembly.RuntimeError) {
      // A trap: never reuse this instance (see "Recovery" above).
      current = null;
      generation += 1;
      error.code = 'internal_error';
    }
    self.postMessage({ id, ok: false, error });
  }
};

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
// The worker loads the web build once (`pkg/web`), on its first message.
import init, { EventLog, loadJourney } from '../pkg/web/cjm_wasm.js';

let ready = null;

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

function analyse({
  csv, journey, csvOptions = {}, funnelOptions = null, flowOptions = null, funnelChart = null, flowChart = null,
}) {
  const started = performance.now();
  const map = loadJourney(journey);
  const log = EventLog.fromCsv(new Uint8Array(csv), { ...csvOptions, journey: map });
  try {
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
    log.free();
    map.free();
  }
}

self.onmessage = async ({ data }) => {
  const { id = null, type } = data ?? {};
  try {
    ready ??= init();
    await ready;
    if (type !== 'analyse') throw new Error(`unknown request type \`${type}\``);
    self.postMessage({ id, ok: true, result: analyse(data) });
  } catch (err) {
    self.postMessage({ id, ok: false, error: errorFields(err) });
  }
};

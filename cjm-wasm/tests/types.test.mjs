// Drift check: types/journey.d.ts must equal what scripts/gen-types.mjs generates from the
// current Rust types, and the built package's .d.ts must carry the declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, typesFile } from '../scripts/gen-types.mjs';
import { crateDir } from './helpers.mjs';

test('types/journey.d.ts is up to date with the Rust types', async () => {
  const committed = readFileSync(typesFile, 'utf8');
  const fresh = await generate();
  assert.equal(committed, fresh, 'run `node cjm-wasm/scripts/gen-types.mjs` and commit the result');
});

test('the built .d.ts declares the document, results and errors', () => {
  for (const target of ['web', 'node']) {
    const dts = readFileSync(join(crateDir, 'pkg', target, 'cjm_wasm.d.ts'), 'utf8');
    for (const needle of [
      'export interface JourneyDocument',
      'export interface Problem',
      'export interface Summary',
      'export interface TemplateInfo',
      'export interface CjmError',
      'export interface ValidationResult',
      'toObject(): JourneyDocument',
      'summary(): Summary',
      'export function templates(): TemplateInfo[]',
      'export function validate(input: JourneyInput): ValidationResult',
      'export interface SurveyReport',
      'export interface HealthReport',
      'export interface PriorityReport',
      'export interface SurveyColumns',
      'export interface HealthInputs',
      'export function surveyKpis(table: SurveyColumns, options?: SurveyOptions | null): SurveyReport',
      'emotionCurves(): EmotionCurve[]',
      'priorities(reach?: MeasuredReach | null): PriorityReport',
      'health(model?: ScoringModel | null, inputs?: HealthInputs | null): HealthReport',
      'insights(options?: InsightOptions | null, inputs?: InsightInputs | null): InsightReport',
      'export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest',
      'export function compareSegments(table: SurveyColumns, options: CompareSegmentsOptions): GroupComparison',
      'export function diffMaps(before: Journey, after: Journey, model?: ScoringModel | null): MapDiff',
      'export function patterns(journeys: JourneyLike[], options?: PatternOptions | null): Patterns',
      'mapSvg(options?: MapOptions | null): string',
      'emotionSvg(options?: EmotionCurveOptions | null): string',
      'toMermaid(persona?: string | null, survey?: SurveyColumns | null, surveyOptions?: SurveyOptions | null): MermaidExport',
      'reportHtml(options?: ReportOptions | null): string',
      'export function fromMermaid(text: string): MermaidImport',
      'export function funnelSvg(chart: FunnelChart): string',
      'export function flowSvg(chart: FlowChart): string',
      'export function barChartSvg(chart: BarChart): string',
      'export class EventLog',
      'static fromColumns(columns: EventColumns, options: ColumnsLogOptions): EventLog',
      'static fromCsv(text: string | Uint8Array | ArrayBuffer, options?: CsvLogOptions | null): EventLog',
      'ingestReport(): IngestReport',
      'stageFunnel(journey?: JourneyLike | null, options?: FunnelOptions | null): FunnelResult',
      'flows(options?: FlowOptions | null): Flows',
      'export interface FunnelResult',
      'export interface Flows',
      'export interface FlowChartNode',
      'export interface InsightReport',
      'export interface MapDiff',
      'stageFunnelSvg(journey?: JourneyLike | null, options?: FunnelOptions | null, chart?: ChartOptions | null): string',
      'flowsSvg(options?: FlowOptions | null, chart?: ChartOptions | null): string',
      'insightInputs(journey?: JourneyLike | null, options?: FunnelOptions | null): InsightInputs',
      'healthInputs(journey?: JourneyLike | null): HealthInputs',
      'retentionSvg(options?: RetentionOptions | null, chart?: RetentionChartOptions | null): string',
      'measureKpis(journey?: JourneyLike | null, inputs?: MeasureInputs | null): MeasuredKpis',
      'export interface MeasuredKpis',
      'export function attribute(paths: PathTableInput, options?: AttributionOptions | null, tableOptions?: TableOptions | null): Attribution',
      'paths(options: PathOptions, journey?: JourneyLike | null): PathTable',
      'attribute(pathOptions: PathOptions, options?: AttributionOptions | null, journey?: JourneyLike | null): Attribution',
      'export interface Attribution',
      'export interface AttributionOptions',
      'export interface PathInput',
    ]) {
      assert.ok(dts.includes(needle), `${target}: missing \`${needle}\``);
    }
  }
});

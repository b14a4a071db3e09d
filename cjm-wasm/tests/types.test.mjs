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
    ]) {
      assert.ok(dts.includes(needle), `${target}: missing \`${needle}\``);
    }
  }
});


/** The result of `fromMermaid`: the imported map and what the import noticed. */
export interface MermaidImport {
  /** The imported, validated map. */
  journey: Journey;
  /** Ignored lines, clamped scores, invented personas… */
  notes: Note[];
}

/**
 * Imports a Mermaid `journey` diagram: sections become stages, tasks touchpoints, actors
 * personas and scores emotions on the scale 1..5.
 * @throws {CjmError} `invalid_value` with path `lines[i]` for text that is not a Mermaid journey.
 */
export function fromMermaid(text: string): MermaidImport;
/** A funnel chart as SVG (one bar per step, customers and conversion). @throws {CjmError} `invalid_option` for a chart that does not fit. */
export function funnelSvg(chart: FunnelChart): string;
/** A flow (Sankey) chart as SVG. @throws {CjmError} `invalid_option` for a chart that does not fit. */
export function flowSvg(chart: FlowChart): string;
/** A grouped bar chart as SVG. @throws {CjmError} `invalid_option` for a chart that does not fit. */
export function barChartSvg(chart: BarChart): string;

export interface Journey {
  /** The journey map as SVG: stages as columns, lanes as rows. @throws {CjmError} `invalid_option`. */
  mapSvg(options?: MapOptions | null): string;
  /** The emotion curve of the personas as SVG. @throws {CjmError} `invalid_option`. */
  emotionSvg(options?: EmotionCurveOptions | null): string;
  /** The map as a Mermaid `journey` diagram (of one persona, by id; the first by default) and what Mermaid cannot hold. */
  /**
   * A Mermaid `journey` diagram of one persona (by id; the first by default). With a
   * survey table (answer columns by touchpoint `scope` and persona `segment`, as for
   * `surveyKpis`, with its options), each touchpoint task takes its own measured score.
   * @throws {CjmError} the errors of `surveyKpis`.
   */
  toMermaid(persona?: string | null, survey?: SurveyColumns | null, surveyOptions?: SurveyOptions | null): MermaidExport;
  /**
   * One self-contained HTML page: map, emotion curve, summary, a section per result given
   * (`health`, `insights`, `funnel`, `flows`, `attribution`, `survey`, `trends`,
   * `retention`: the objects the analyses return, placed by the core, as in Python) and
   * your `sections`. @throws {CjmError} `invalid_option`.
   */
  reportHtml(options?: ReportOptions | null): string;
}

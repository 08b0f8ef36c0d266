import type { Summary } from './stats.js'

/** One row of the printed table. */
export interface Row {
  stage: string
  figure: string
  unit: string
  summary: Summary
  /** The goal, as text such as "<= 1.5". */
  target?: string
  met?: boolean
}

function formatMet(met: boolean | undefined): string {
  if (met === undefined) return ''
  return met ? 'yes' : 'NO'
}

function format(value: number): string {
  if (value >= 1000) return value.toFixed(0)
  if (value >= 100) return value.toFixed(1)
  return value.toFixed(2)
}

/** Formats `rows` as a fixed-width text table with median, min, max and target. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['stage', 'figure', 'median', 'min', 'max', 'unit', 'target', 'met']
  const lines = rows.map((row) => [
    row.stage,
    row.figure,
    format(row.summary.median),
    format(row.summary.min),
    format(row.summary.max),
    row.unit,
    row.target ?? '',
    formatMet(row.met),
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  )
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
  return [
    render(header),
    render(widths.map((width) => '-'.repeat(width))),
    ...lines.map(render),
  ].join('\n')
}

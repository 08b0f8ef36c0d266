import { expect, test } from 'vitest'

import { formatTable } from './report.js'

test('formatTable() - aligns columns and marks targets', () => {
  const summary = { median: 1.234, min: 1, max: 2, runs: 3 }
  const table = formatTable([
    { stage: 'render', figure: '800x600', unit: 'fps', summary, target: '>= 200', met: false },
    { stage: 'encode', figure: '800x600', unit: 'fps', summary },
  ]).split('\n')

  expect(table).toHaveLength(4)
  expect(table[2]).toMatch(/^render\s+800x600\s+1\.23\s+1\.00\s+2\.00\s+fps\s+>= 200\s+NO$/)
  expect(table[3]).toMatch(/^encode\s+800x600\s+1\.23\s+1\.00\s+2\.00\s+fps$/)
})

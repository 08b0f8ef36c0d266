import { expect, test } from 'vitest'

import { repeat, summarize } from './stats.js'

test('summarize() - odd count', () => {
  expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 })
})

test('summarize() - even count averages the middle', () => {
  expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 })
})

test('summarize() - rejects no samples', () => {
  expect(() => summarize([])).toThrow(RangeError)
})

test('repeat() - discards warm-up runs', async () => {
  let call = 0
  const summary = await repeat({ warmups: 2, runs: 3 }, () => ++call * 10)
  expect(call).toBe(5)
  expect(summary).toEqual({ median: 40, min: 30, max: 50, runs: 3 })
})

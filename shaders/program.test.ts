import { describe, expect, test } from 'vitest'

import { numberLines } from './program.js'

describe('numberLines', () => {
  test('numbers every line from 1', () => {
    expect(numberLines('a\nb')).toBe('  1 | a\n  2 | b')
  })

  test('pads numbers to the widest', () => {
    const source = Array.from({ length: 10 }, (_, index) => `line ${index + 1}`).join('\n')

    expect(numberLines(source).split('\n')[0]).toBe('   1 | line 1')
    expect(numberLines(source).split('\n')[9]).toBe('  10 | line 10')
  })

  test('marks lines and elides the rest', () => {
    const output = numberLines('a\nb\nc\nd\ne', new Set([2]), new Set([1, 2, 3]))

    expect(output).toBe('  1 | a\n> 2 | b\n  3 | c\n...')
  })
})

/** One pattern of a `.dockerignore` file. */
interface IgnoreRule {
  pattern: RegExp
  /** A `!` pattern re-includes what earlier patterns excluded. */
  include: boolean
}

/**
 * Parses a `.dockerignore` file. Patterns follow Docker's rules: Go's `filepath.Match` syntax
 * plus `**` for any number of folders, paths relative to the build context, and the last
 * matching pattern wins. Character classes (`[a-z]`) are not supported and throw.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!')
      const pattern = (include ? line.slice(1) : line).replace(/^\.?\//, '').replace(/\/+$/, '')
      if (/[[\]]/.test(pattern)) throw new Error(`character classes are not supported: ${line}`)
      return { pattern: globToRegExp(pattern), include }
    })
}

function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob.charAt(index)
    if (glob.startsWith('**/', index)) {
      source += '(?:.*/)?'
      index += 2
    } else if (glob.startsWith('**', index)) {
      source += '.*'
      index += 1
    } else if (char === '*') {
      source += '[^/]*'
    } else if (char === '?') {
      source += '[^/]'
    } else {
      source += char.replace(/[.+^${}()|\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`)
}

/**
 * Returns whether `path`, relative to the build context, stays out of the context. A pattern
 * that matches a folder excludes everything below it.
 */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.replace(/^\.?\//, '').split('/')
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'))

  let ignored = false
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.pattern.test(prefix))) ignored = !rule.include
  }
  return ignored
}

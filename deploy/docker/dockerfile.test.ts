import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast'
import { beforeAll, describe, expect, test } from 'vitest'

import { isIgnored, parseDockerignore } from '../testing/dockerignore.js'
import { REPO_ROOT, renderKustomization } from '../testing/kustomize.js'
import { imageReference, templateContainers } from '../testing/workloads.js'

const DOCKERFILE = 'deploy/docker/Dockerfile'

/** Instructions of the Dockerfile reference; a misspelt keyword would otherwise parse quietly. */
const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
])

/** Debian packages each stage must install, as the application needs them. */
const STAGE_PACKAGES: Record<string, string[]> = {
  // Headers and tools node-gyp needs to compile the `gl` addon.
  build: [
    'python3',
    'make',
    'g++',
    'pkg-config',
    'libx11-dev',
    'libxi-dev',
    'libxext-dev',
    'libgl-dev',
  ],
  api: ['tini'],
  // Xvfb and Mesa for headless WebGL, ffmpeg for H.264.
  worker: ['tini', 'xvfb', 'xauth', 'libgl1-mesa-dri', 'libgl1', 'libxi6', 'libxext6', 'ffmpeg'],
}

interface Stage {
  name: string
  /** The image reference after build arguments are substituted. */
  image: string
  instructions: Instruction[]
}

let dockerfile: Dockerfile
let stages: Stage[]

beforeAll(async () => {
  dockerfile = DockerfileParser.parse(await readFile(`${REPO_ROOT}${DOCKERFILE}`, 'utf8'))
  stages = splitStages(dockerfile)
})

/** Groups the instructions by build stage; FROM arguments are expanded with the ARG defaults. */
function splitStages(file: Dockerfile): Stage[] {
  const result: Stage[] = []
  for (const instruction of file.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name] = instruction
        .getExpandedArguments()
        .map((argument) => argument.getValue())
      result.push({
        name: as?.toUpperCase() === 'AS' && name !== undefined ? name : String(result.length),
        image,
        instructions: [],
      })
    } else {
      result.at(-1)?.instructions.push(instruction)
    }
  }
  return result
}

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.name === name)
  if (found === undefined) throw new Error(`${DOCKERFILE} has no stage ${name}`)
  return found
}

function instructionsOf(stageName: string, keyword: string): string[] {
  return stage(stageName)
    .instructions.filter((instruction) => instruction.getKeyword() === keyword)
    .map((instruction) => instruction.getArgumentsContent() ?? '')
}

function jsonArguments(stageName: string, keyword: string): string[] | undefined {
  const [content] = instructionsOf(stageName, keyword)
  return content === undefined ? undefined : (JSON.parse(content) as string[])
}

describe('Dockerfile', () => {
  test('uses only known instructions', () => {
    const keywords = dockerfile.getInstructions().map((instruction) => instruction.getKeyword())
    expect(keywords.filter((keyword) => !KEYWORDS.has(keyword))).toEqual([])
  })

  test('defines the build, api and worker stages', () => {
    expect(stages.map((candidate) => candidate.name)).toEqual(['build', 'api', 'worker'])
  })

  test('base images are pinned to a Node.js 20 patch release on Debian bookworm', () => {
    for (const { name, image } of stages) {
      const reference = imageReference(image)
      expect(reference.name, name).toBe('node')
      expect(reference.tag, name).toMatch(/^20\.\d+\.\d+-bookworm-slim$/)
    }
  })

  test('COPY sources exist in the build context and are not ignored', async () => {
    const rules = parseDockerignore(await readFile(`${REPO_ROOT}.dockerignore`, 'utf8'))
    const sources = dockerfile
      .getCOPYs()
      .filter((copy) => copy.getFromFlag() === null)
      .flatMap((copy) =>
        copy
          .getArguments()
          .slice(0, -1)
          .map((argument) => argument.getValue()),
      )
    expect(sources.length).toBeGreaterThan(0)

    for (const source of sources) {
      expect(existsSync(`${REPO_ROOT}${source}`), `${source} exists`).toBe(true)
      expect(isIgnored(rules, source), `${source} is excluded by .dockerignore`).toBe(false)
    }
  })

  test('.dockerignore keeps local builds, secrets and tests out', async () => {
    const rules = parseDockerignore(await readFile(`${REPO_ROOT}.dockerignore`, 'utf8'))
    const ignored = [
      'node_modules/gl/package.json',
      'dist/api/main.js',
      '.git/HEAD',
      '.env',
      'data/pglite',
    ]
    const testFiles = ['api/routes/auth/auth.test.ts', 'db/testing/postgres.ts']
    for (const path of [...ignored, ...testFiles]) expect(isIgnored(rules, path), path).toBe(true)

    const included = [
      'api/main.ts',
      'db/migrations/0000_init.sql',
      'shaders/julia.frag',
      'package-lock.json',
    ]
    for (const path of included) expect(isIgnored(rules, path), path).toBe(false)
  })

  test('COPY --from names an earlier stage', () => {
    for (const copy of dockerfile.getCOPYs()) {
      const from = copy.getFromFlag()?.getValue()
      if (from === undefined || from === null) continue
      const line = copy.getRange().start.line
      const earlier = stages.filter((candidate) =>
        dockerfile
          .getFROMs()
          .some(
            (instruction) =>
              instruction.getBuildStage() === candidate.name &&
              instruction.getRange().start.line < line,
          ),
      )
      expect(
        earlier.map((candidate) => candidate.name),
        `COPY --from=${from} on line ${line + 1}`,
      ).toContain(from)
    }
  })

  test('build stage installs dependencies, builds and drops devDependencies', () => {
    const commands = instructionsOf('build', 'RUN').join('\n')
    expect(commands).toContain('npm ci')
    expect(commands).toContain('npm run build')
    expect(commands).toContain('npm prune --omit=dev')
    expect(commands.indexOf('npm ci')).toBeLessThan(commands.indexOf('npm run build'))
  })

  test.each(Object.keys(STAGE_PACKAGES))('%s stage installs its Debian packages', (name) => {
    const installed = instructionsOf(name, 'RUN').join(' ').split(/\s+/)
    for (const debianPackage of STAGE_PACKAGES[name] ?? [])
      expect(installed, debianPackage).toContain(debianPackage)
  })

  test.each(['api', 'worker'])(
    '%s stage runs node under tini as a numeric non-root user',
    (name) => {
      const [user] = instructionsOf(name, 'USER')
      const [uid] = (user ?? '').split(':')
      expect(uid).toMatch(/^\d+$/)
      expect(Number(uid)).toBeGreaterThan(0)

      expect(jsonArguments(name, 'ENTRYPOINT')).toEqual(['/usr/bin/tini', '--'])
      const command = jsonArguments(name, 'CMD')
      expect(command).toEqual(['node', `dist/${name}/main.js`])
      // `npm run build` compiles <name>/main.ts to that file.
      expect(existsSync(`${REPO_ROOT}${name}/main.ts`)).toBe(true)
    },
  )
})

describe('Makefile images', () => {
  test('are the images the Kubernetes manifests run', async () => {
    const makefile = await readFile(`${REPO_ROOT}Makefile`, 'utf8')
    const variables = Object.fromEntries(
      [...makefile.matchAll(/^(\w+)\s*:?=\s*(\S+)\s*$/gm)].map((match) => [match[1], match[2]]),
    )
    const built = Object.fromEntries(
      [...makefile.matchAll(/--target (\w+) -t \$\((\w+)\)/g)].map((match) => [
        match[1],
        variables[match[2] ?? ''],
      ]),
    )
    expect(Object.keys(built).sort()).toEqual(['api', 'worker'])

    const images = new Set(
      templateContainers(await renderKustomization('overlays/kind')).map(
        (entry) => entry.container.image,
      ),
    )
    expect(images).toContain(built.api)
    expect(images).toContain(built.worker)
  })
})

import { afterAll, beforeAll, expect, test } from 'vitest'

import { createTestApi, type TestApi } from '../../testing/harness.js'

let api: TestApi

beforeAll(async () => {
  api = await createTestApi()
})

afterAll(async () => {
  await api?.close()
})

type OpenApi = {
  openapi: string
  paths: Record<string, Record<string, unknown>>
  components: {
    schemas: Record<
      string,
      {
        oneOf?: Array<{
          properties: Record<string, { default?: unknown; multipleOf?: number }>
          required: string[]
        }>
      }
    >
  }
}

test('openapi.json is an OpenAPI 3.1 document', async () => {
  const response = await api.request('/openapi.json')
  expect(response.status).toBe(200)
  const document = (await response.json()) as OpenApi
  expect(document.openapi).toBe('3.1.0')
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining([
      '/v1/auth/signup',
      '/v1/auth/login',
      '/v1/tasks',
      '/v1/tasks/{id}',
      '/v1/tasks/{id}/video',
    ]),
  )
})

test('TaskSpec schema comes from the catalogue', async () => {
  const document = (await (await api.request('/openapi.json')).json()) as OpenApi
  const julia = document.components.schemas.TaskSpec?.oneOf?.[0]
  expect(julia?.required).toEqual(['c'])
  expect(julia?.properties.width?.default).toBe(800)
  expect(julia?.properties.width?.multipleOf).toBe(2)
  expect(julia?.properties.palette).toBeDefined()
})

test('docs page lists endpoints and error codes', async () => {
  const response = await api.request('/docs')
  expect(response.status).toBe(200)
  const page = await response.text()
  expect(page).toContain('/v1/tasks/{id}/video')
  expect(page).toContain('id="problem-not_ready"')
})

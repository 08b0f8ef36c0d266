import { toJsonSchema } from '@valibot/to-json-schema'
import type * as v from 'valibot'

import { TaskSpecSchema } from '../shaders/catalogue.js'
import { describeErrors } from './errors.js'
import {
  AccessTokenSchema,
  CredentialsSchema,
  LoginSchema,
  UserSchema,
} from './routes/auth/schema.js'
import { TaskPageSchema, TaskSchema } from './routes/tasks/schema.js'

function jsonSchema(schema: v.GenericSchema, typeMode: 'input' | 'output') {
  // Actions without a JSON Schema form (finite, custom checks) are left out of the document, but
  // the API still enforces them.
  const { $schema: _, ...rest } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    typeMode,
    errorMode: 'ignore',
  })
  return rest
}

const problem = {
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

function jsonContent(ref: string) {
  return { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } }
}

function responses(success: Record<string, unknown>, errors: number[]) {
  const result: Record<string, unknown> = { ...success }
  for (const status of errors) result[String(status)] = { description: 'Problem', ...problem }
  return result
}

const bearer = [{ bearerAuth: [] }]
const taskId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
}

/** Builds the OpenAPI 3.1 document from the same valibot schemas that validate requests. */
export function buildOpenApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fractal Animation Server',
      version: '1.0.0',
      description: 'Renders Julia-set animations to H.264 MP4 on request.',
    },
    paths: {
      '/v1/auth/signup': {
        post: {
          summary: 'Create an account',
          requestBody: { required: true, ...jsonContent('Credentials') },
          responses: responses(
            { 201: { description: 'Created', ...jsonContent('User') } },
            [400, 409, 413, 415, 422],
          ),
        },
      },
      '/v1/auth/login': {
        post: {
          summary: 'Exchange a username and password for an access token',
          requestBody: { required: true, ...jsonContent('Login') },
          responses: responses(
            { 200: { description: 'Token', ...jsonContent('AccessToken') } },
            [400, 401, 413, 415, 422],
          ),
        },
      },
      '/v1/users/me': {
        delete: {
          summary: 'Delete the account with all its tasks and videos',
          security: bearer,
          responses: responses({ 204: { description: 'Deleted' } }, [401]),
        },
      },
      '/v1/tasks': {
        post: {
          summary: 'Request an animation',
          security: bearer,
          requestBody: { required: true, ...jsonContent('TaskSpec') },
          responses: responses(
            { 202: { description: 'Queued', ...jsonContent('Task') } },
            [400, 401, 413, 415, 422, 503],
          ),
        },
        get: {
          summary: 'List your tasks, newest first',
          security: bearer,
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string' },
              description: 'nextCursor of the previous page',
            },
          ],
          responses: responses(
            { 200: { description: 'A page of tasks', ...jsonContent('TaskPage') } },
            [401, 422],
          ),
        },
      },
      '/v1/tasks/{id}': {
        get: {
          summary: 'Get one task',
          security: bearer,
          parameters: [taskId],
          responses: responses(
            { 200: { description: 'The task', ...jsonContent('Task') } },
            [401, 404],
          ),
        },
        delete: {
          summary: 'Cancel a queued or running task, or delete a finished one, with its video',
          security: bearer,
          parameters: [taskId],
          responses: responses({ 204: { description: 'Cancelled or deleted' } }, [401, 404]),
        },
      },
      '/v1/tasks/{id}/video': {
        get: {
          summary: 'Redirect to a pre-signed URL of the video',
          security: bearer,
          parameters: [taskId],
          responses: responses(
            { 302: { description: 'The Location header contains the pre-signed URL' } },
            [401, 404, 409],
          ),
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: database, queue and object store reachable',
          responses: {
            200: { description: 'Ready' },
            503: { description: 'A dependency is down' },
          },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Credentials: jsonSchema(CredentialsSchema, 'input'),
        Login: jsonSchema(LoginSchema, 'input'),
        User: jsonSchema(UserSchema, 'output'),
        AccessToken: jsonSchema(AccessTokenSchema, 'output'),
        TaskSpec: jsonSchema(TaskSpecSchema, 'input'),
        Task: jsonSchema(TaskSchema, 'output'),
        TaskPage: jsonSchema(TaskPageSchema, 'output'),
        Problem: problemSchema(),
      },
    },
  }
}

function problemSchema() {
  const codes = describeErrors().map((error) => error.code)
  return {
    type: 'object',
    description: 'RFC 9457 problem details with a stable `code`',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { enum: codes },
      requestId: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['path', 'message'],
          properties: { path: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  }
}

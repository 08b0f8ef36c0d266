import { Hono } from 'hono'
import { html, raw } from 'hono/html'

import type { AppEnv } from '../../context.js'
import { describeErrors } from '../../errors.js'
import { buildOpenApiDocument } from '../../openapi.js'

type Operation = { summary?: string; security?: unknown[] }

/** Renders the OpenAPI document as one self-contained HTML page, so `/docs` needs no CDN. */
function renderReference(document: ReturnType<typeof buildOpenApiDocument>) {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      summary: operation.summary ?? '',
      auth: operation.security ? 'Bearer token' : '',
    })),
  )
  const schemas = Object.entries(document.components.schemas)

  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${document.info.title}: API reference</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 60rem;
            margin: 2rem auto;
            padding: 0 1rem;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          td,
          th {
            border-bottom: 1px solid #ddd;
            padding: 0.3rem 0.5rem;
            text-align: left;
          }
          code,
          pre {
            font:
              13px ui-monospace,
              monospace;
          }
          pre {
            background: #f6f6f6;
            padding: 0.75rem;
            overflow-x: auto;
          }
        </style>
      </head>
      <body>
        <h1>${document.info.title}</h1>
        <p>
          ${document.info.description} The machine-readable document is
          <a href="/openapi.json">/openapi.json</a> (OpenAPI ${document.openapi}).
        </p>
        <h2>Endpoints</h2>
        <table>
          <tr>
            <th>Method</th>
            <th>Path</th>
            <th>What it does</th>
            <th>Auth</th>
          </tr>
          ${operations.map(
            (op) =>
              html`<tr>
                <td><code>${op.method}</code></td>
                <td><code>${op.path}</code></td>
                <td>${op.summary}</td>
                <td>${op.auth}</td>
              </tr>`,
          )}
        </table>
        <h2>Errors</h2>
        <p>
          Errors are <code>application/problem+json</code> (RFC 9457) with a stable
          <code>code</code>; validation errors list each invalid field in <code>errors</code>.
        </p>
        <table>
          <tr>
            <th>Code</th>
            <th>Status</th>
            <th>Title</th>
          </tr>
          ${describeErrors().map(
            (e) =>
              html`<tr id="problem-${e.code}">
                <td><code>${e.code}</code></td>
                <td>${e.status}</td>
                <td>${e.title}</td>
              </tr>`,
          )}
        </table>
        <h2>Schemas</h2>
        ${schemas.map(
          ([name, schema]) =>
            html`<h3 id="schema-${name}">${name}</h3>
              <pre>${raw(escapeHtml(JSON.stringify(schema, null, 2)))}</pre>`,
        )}
      </body>
    </html>`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** `GET /openapi.json` and `GET /docs`. */
export function docsRoutes() {
  const app = new Hono<AppEnv>()
  const document = buildOpenApiDocument()
  const page = renderReference(document)

  app.get('/openapi.json', (c) => c.json(document))
  app.get('/docs', async (c) => c.html(await page))
  return app
}

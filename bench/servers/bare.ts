import { serve } from '@hono/node-server'
import { Hono } from 'hono'

// A Hono handler with no middleware, database or logging, served by the same adapter as the
// API: the ceiling that the API's figures are compared with.
const app = new Hono()
app.get('/healthz', (c) => c.json({ status: 'ok' }))
app.get('/readyz', (c) => c.json({ status: 'ready' }))

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
process.once('SIGTERM', () => server.close(() => process.exit(0)))

import { pino } from 'pino'

import { loadApiConfig } from '../../api/config.js'
import { openApiRuntime, startApiServer } from '../../api/server.js'
import { exitOnSignals } from '../../api/shutdown.js'

// The API with no worker in the process, for the HTTP benchmark: the same app, data layer and
// configuration as the product, so the figures are the API's alone and no rendering competes for
// the CPU. It runs embedded or on the services its environment names.
const config = loadApiConfig(process.env)
const logger = pino({ level: config.logLevel, base: { service: 'bench-api' } })
const { runtime, secret } = await openApiRuntime(config)
const server = await startApiServer(config, runtime, secret, logger)
exitOnSignals(logger, [() => server.close(), () => runtime.close()])

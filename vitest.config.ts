import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{api,worker,shaders,db,deploy,bench}/**/*.test.ts'],
    // headless-gl is a native addon bound to one thread, so each test file gets its own process.
    pool: 'forks',
    // Rendering and encoding run on the CPU (Mesa llvmpipe), so give them room on slow machines.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})

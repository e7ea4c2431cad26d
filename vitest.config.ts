import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core CI machine: serial/pty and load tests are timing-sensitive, so keep parallelism modest.
    maxWorkers: 2,
  },
});

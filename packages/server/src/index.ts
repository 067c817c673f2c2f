export { loadConfig, envSchema, type Config } from './config.ts';
export { startServer, buildContext, createLogger, type RunningServer } from './server.ts';
export { ADMIN_USERNAME, ADMIN_SCOPE, CONSOLE_CLIENT_ID } from './bootstrap.ts';
export type { ServerContext, TokenInfo, TokenVerifier } from './context.ts';
export { startTestServer, freePort, TEST_ADMIN_PASSWORD, type TestServer } from './testing.ts';

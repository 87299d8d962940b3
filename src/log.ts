import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; `redact` keeps tokens out of logs whatever a caller passes in. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'feedsieve' },
      redact: { paths: ['req.headers.authorization', '*.authorization', 'adminToken', 'readToken'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}

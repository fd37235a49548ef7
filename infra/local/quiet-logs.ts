/**
 * Imported first by `npm start` and `npm run bench`, before anything that loads the Logger: Powertools'
 * Logger reads its level when it is built, at import, and every invocation starts again from that
 * level. At `info` the handlers write a line per request, which would drown what these commands print.
 */
process.env.LOG_LEVEL ??= 'warn';

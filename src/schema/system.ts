// System fields: what the server is.
import { VERSION } from '../lib/version.js';
import { builder } from './builder.js';
import { valueId } from './common.js';

const ServerInfo = builder.objectRef<{ version: string; time: Date }>('ServerInfo').implement({
  description: 'Facts about the running server.',
  fields: (t) => ({
    id: t.id(valueId('ServerInfo', (s: { version: string }) => s.version)),
    version: t.exposeString('version', { description: 'The Bisma package version.' }),
    time: t.expose('time', { type: 'DateTime', description: 'The server clock, now.' }),
  }),
});

builder.queryField('serverInfo', (t) =>
  t.field({
    description: 'The running server: its version and the current time.',
    type: ServerInfo,
    resolve: () => ({ version: VERSION, time: new Date() }),
  }),
);

// PostGraphile 5 (Amber preset, node:http) over the bench database's tables, for the side-by-side
// dashboard benchmark. Prints its URL on stdout; DATABASE_URL names the database; stops on SIGTERM.
import './node20.js';
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false },
  grafast: { explain: false },
});
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(`http://127.0.0.1:${address.port}/graphql\n`);
});
process.once('SIGTERM', () => {
  server.close();
  Promise.resolve(pgl.release()).then(() => process.exit(0));
});

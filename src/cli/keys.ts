// The API key subcommands of `bisma`: create (the secret is printed once), list, revoke.
import type { Role } from '../services/api-keys.js';
import { type Command, out, positiveInt, UsageError } from './command.js';

// The service loads when a command runs, so `bisma help` and usage errors answer at once.
const service = () => import('../services/api-keys.js');

const ROLES: Role[] = ['ANALYST', 'ADMIN'];

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

const keysCreate: Command = {
  name: 'keys create',
  aliases: ['api-key create'],
  args: 'NAME --role ANALYST|ADMIN',
  summary: 'create an API key and print its secret (shown this once, never stored)',
  details:
    'Only a SHA-256 hash of the secret is stored: copy it now. Clients send it as ' +
    '`Authorization: Bearer <key>`.',
  options: { role: { type: 'string' } },
  optionHelp: [`--role R   ${ROLES.join(' or ')} (required)`],
  positionals: { min: 1, max: 1, names: ['NAME'] },
  usesDatabase: true,
  check(values) {
    if (!values.role) throw new UsageError(`--role is required, one of ${ROLES.join(', ')}`);
    if (!ROLES.includes(String(values.role).toUpperCase() as Role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not '${String(values.role)}'`);
    }
  },
  async run(values, [name]) {
    const key = await (await service()).createApiKey(name!, String(values.role).toUpperCase() as Role);
    out(`created key ${key.id} '${key.name}' (${key.role}, prefix ${key.prefix})`);
    out(`secret (shown once): ${key.key}`);
  },
};

const keysList: Command = {
  name: 'keys list',
  aliases: ['api-key list'],
  summary: 'list the API keys (never their secrets)',
  usesDatabase: true,
  async run() {
    out('id\tname\trole\tprefix\tcreated\tlast used\trevoked');
    for (const k of await (await service()).listApiKeys()) {
      out([k.id, k.name, k.role, k.prefix, iso(k.createdAt), iso(k.lastUsedAt), iso(k.revokedAt)].join('\t'));
    }
  },
};

const keysRevoke: Command = {
  name: 'keys revoke',
  aliases: ['api-key revoke'],
  args: 'ID',
  summary: 'revoke an API key by id (requests with it are refused from now on)',
  positionals: { min: 1, max: 1, names: ['ID'] },
  usesDatabase: true,
  check(_values, [id]) {
    positiveInt('ID', id, 0);
  },
  async run(_values, [id]) {
    const keyId = positiveInt('ID', id, 0);
    await (await service()).revokeApiKey(keyId);
    out(`revoked key ${keyId}`);
  },
};

export const KEY_COMMANDS: Command[] = [keysCreate, keysList, keysRevoke];

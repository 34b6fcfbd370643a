// Imports every schema module for its side effects and exports the finished schema.
import { builder } from './builder.js';
import './errors.js';
import './agencies.js';
import './deals.js';
import './events.js';
import './exhibitors.js';
import './ingest.js';
import './kpi/index.js';
import './node.js';
import './participations.js';
import './products.js';
import './sessions.js';
import './targets.js';
import './viewer.js';
import './system.js';

export const schema = builder.toSchema({ sortSchema: true });

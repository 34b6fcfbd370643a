// Imports every schema module for its side effects and exports the finished schema.
import { builder } from './builder.js';
import './system.js';

export const schema = builder.toSchema({ sortSchema: true });

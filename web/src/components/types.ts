import type { MessageKey } from '../i18n.js';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

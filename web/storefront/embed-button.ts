/** The script of a button or link embed (see embed-open.ts); popups use embed.ts. */
import { bindOpen, embedRoot } from './embed-open.js';

const root = embedRoot();
if (root) bindOpen(root);

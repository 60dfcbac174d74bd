#!/usr/bin/env node
// Writes the README's list of language commands from the command table (after `npx tsc -b`).
// Usage: node scripts/language-doc.js
import { readFileSync, writeFileSync } from 'node:fs';
import { withLanguageDoc } from '../dist/engine/language/doc.js';
import { HANDLERS } from '../dist/engine/language/table.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withLanguageDoc(readFileSync(path, 'utf8'), HANDLERS));

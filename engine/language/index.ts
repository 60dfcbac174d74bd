/** The minimega command language: sessions, transcripts, rendering. */
export { CliSession } from './session.js';
export type { CliDeps, CliCommand } from './deps.js';
export { COMMANDS, findCommand } from './commands/index.js';
export { runTranscript, compareTranscript } from './transcript.js';
export { tokenize, type Token } from './lexer.js';
export { render } from './render.js';
export { type Flags, type Response, defaultFlags } from './response.js';

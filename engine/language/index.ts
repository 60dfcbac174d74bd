/** The minimega command language: the table, sessions, transcripts, rendering. */
export { Language } from './language.js';
export { Session, DEFAULT_NAMESPACE } from './session.js';
export type { Handler, Command, LanguageDeps, NamespaceScope } from './handler.js';
export { HANDLERS } from './table.js';
export { runTranscript, compareTranscript } from './transcript.js';
export { lexInput } from './input.js';
export { render } from './render.js';
export { type Flags, type Response, defaultFlags } from './response.js';
